// Confusable skeletons (Unicode Technical Standard #39, section 4): two strings that look alike
// have the same skeleton. The mapping is Unicode's confusables.txt (prototype of each character
// that can be mistaken for another) as shipped by the `unhomoglyph` package; only its data is
// used, so the UTS #39 recipe (NFD, map each character, NFD again) is applied here.
//
// The full table costs ~5 MB of memory, so it is loaded on the first text that is not ASCII;
// ASCII text needs only the table's few ASCII entries (a test checks they are the package's).

type Prototypes = Readonly<Record<string, string>>;
let fullTable: Prototypes | null = null;
const prototypes = (): Prototypes => (fullTable ??= require("unhomoglyph/data.json") as Prototypes);

/** confusables.txt's entries for ASCII characters: digits and capital I read as letters, m as rn. */
export const ASCII_PROTOTYPES: Prototypes = { "0": "O", "1": "l", I: "l", m: "rn", "|": "l", "`": "'", '"': "''", "%": "º/₀" };

/** Every entry of the confusables table (tests, tools). */
export function confusablePrototypes(): Prototypes {
  return prototypes();
}

/** skeleton(X) = NFD(map(NFD(X))): equal skeletons mean the strings can be mistaken for each other. */
export function skeleton(text: string): string {
  // ASCII is its own NFD, and its prototypes decompose to themselves: map it without normalising
  // (the host labels of nearly every URL; the normalisations were most of a skeleton's cost).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "ASCII only", control characters included
  if (/^[\x00-\x7f]*$/.test(text)) {
    let out = "";
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      out += ASCII_PROTOTYPES[ch] ?? ch;
    }
    return out;
  }
  const decomposed = text.normalize("NFD");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "ASCII only", control characters included
  const table = /^[\x00-\x7f]*$/.test(decomposed) ? ASCII_PROTOTYPES : prototypes();
  let out = "";
  for (const ch of decomposed) out += table[ch] ?? ch;
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
