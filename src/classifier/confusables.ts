// Confusable skeletons (Unicode Technical Standard #39, section 4): two strings that look alike
// have the same skeleton. The mapping is Unicode's confusables.txt (prototype of each character
// that can be mistaken for another) as shipped by the `unhomoglyph` package; only its data is
// used, so the UTS #39 recipe (NFD, map each character, NFD again) is applied here.
import CONFUSABLE_PROTOTYPES from "unhomoglyph/data.json";

const prototypes = CONFUSABLE_PROTOTYPES as Readonly<Record<string, string>>;

/** skeleton(X) = NFD(map(NFD(X))): equal skeletons mean the strings can be mistaken for each other. */
export function skeleton(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFD")) out += prototypes[ch] ?? ch;
  return out.normalize("NFD");
}

/**
 * The skeleton compared without case, as host names are: "paypaI" (capital i) and "paypal" share
 * "paypal", and "g00gle" meets "google". Lower-casing comes after the mapping, so a capital I
 * still counts as the l it imitates.
 */
export function foldedSkeleton(text: string): string {
  return skeleton(text).toLowerCase();
}
