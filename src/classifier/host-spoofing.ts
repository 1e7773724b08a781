// Hosts built to be mistaken for another: judged by the host alone, whatever the path, before
// any model runs. Three rules (Unicode Technical Standard #39 and the IDN display policies of the
// major browsers), applied to each label:
//
// 1. Brand look-alike: a label (or a hyphen-separated part of it) whose confusable skeleton,
//    accents removed, is a brand's, without being that brand, on a domain the brand does not own: `аpple.com` with a
//    Cyrillic а, `gооgle.com`, `paypaI.com` with a capital I. The label is judged as typed as
//    well as normalised, because URL parsing lower-cases ASCII and so turns `paypaI` into the
//    innocent-looking `paypai`.
// 2. Mixed scripts: a label that is not "Highly Restrictive" (scripts.ts), such as Latin with
//    Cyrillic or Greek letters.
// 3. Whole-script look-alike: a label written entirely in Cyrillic or Greek letters that all look
//    Latin (`аррӏе`, `рос`), unless the top-level domain is of that script's countries.
//
// Labels in one script are never suspicious for being international: bücher.de, münchen.de,
// 例え.jp and пример.рф pass.
import { domainToUnicode } from "node:url";
import { foldedSkeleton } from "./confusables.ts";
import { splitDomain } from "./domain.ts";
import { isHighlyRestrictive, resolvedScripts, scriptNames } from "./scripts.ts";
import { brandNames, brandOwnedBy } from "./signals.ts";

/** folded skeleton -> brand, for every brand on the list */
let brandSkeletons: Map<string, string> | null = null;
function brandBySkeleton(): Map<string, string> {
  if (brandSkeletons === null) {
    brandSkeletons = new Map();
    for (const brand of brandNames()) brandSkeletons.set(foldedSkeleton(brand), brand);
  }
  return brandSkeletons;
}

/** Top-level domains under which a label in that script is expected, not an imitation of Latin. */
const SCRIPT_HOME_TLDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Cyrillic: new Set([
    "bg",
    "by",
    "kz",
    "kg",
    "mk",
    "mn",
    "rs",
    "ru",
    "su",
    "tj",
    "ua",
    "uz",
    "рф",
    "бел",
    "укр",
    "қаз",
    "срб",
    "мкд",
    "мон",
    "бг",
    "рус",
    "дети",
    "сайт",
    "онлайн",
    "москва",
  ]),
  Greek: new Set(["gr", "cy", "ελ", "ευ"]),
};

/** The host as typed (case kept; IDNA's width and compatibility mapping applied), split into labels; null if absent. */
function typedLabels(raw: string): string[] | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(raw.trim());
  if (!m?.[1]) return null;
  let host = m[1].replace(/^.*@/, "");
  if (host.startsWith("[")) return null;
  host = host.replace(/:\d*$/, "");
  try {
    host = decodeURIComponent(host);
  } catch {
    // left as typed
  }
  return host
    .normalize("NFKC")
    .split(/[.\u3002\uff0e\uff61]/)
    .filter((l) => l !== "");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "ASCII only"
const ASCII_TEXT = /^[\x00-\x7f]*$/;

/** The label without accents and other combining marks: `faċebook` -> `facebook`. */
const withoutMarks = (label: string) =>
  ASCII_TEXT.test(label)
    ? label // ASCII has no marks to remove: skip three passes over every label of every URL
    : label
        .normalize("NFD")
        .replace(/\p{M}+/gu, "")
        .normalize("NFC");

/**
 * brandImitated by label, remembered: it depends on the label alone, costs ~10 µs (a dozen
 * skeletons), and is asked twice per create (the unsafe-URL check, then the classifier's
 * features) for labels that recur across links (TLDs, www, popular sites). Bounded: emptied when full.
 */
const IMITATED_CACHE_LIMIT = 8_192;
const imitatedByLabel = new Map<string, string | null>();

function brandImitated(label: string): string | null {
  const known = imitatedByLabel.get(label);
  if (known !== undefined) return known;
  const brand = brandImitatedUncached(label);
  if (imitatedByLabel.size >= IMITATED_CACHE_LIMIT) imitatedByLabel.clear();
  imitatedByLabel.set(label, brand);
  return brand;
}

function brandImitatedUncached(label: string): string | null {
  const literal = label.toLowerCase().split("-");
  const brands = brandBySkeleton();
  for (const part of new Set([label, ...label.split("-"), label.replaceAll("-", "")])) {
    if (part === "") continue;
    // Accented letters are not confusables to UTS #39 (í is not i), but standing in a brand name
    // they imitate it all the same (browsers compare names with the marks removed too). As typed,
    // a capital I is an l; lower-cased, an upper-case M is an m, which looks like rn.
    const bare = withoutMarks(part);
    for (const key of new Set([foldedSkeleton(bare), foldedSkeleton(bare.toLowerCase())])) {
      const brand = brands.get(key);
      if (brand !== undefined && brand !== part.toLowerCase() && !literal.includes(brand)) return brand;
    }
  }
  return null;
}

const LATIN_LOOKING = /^[a-z0-9-]+$/;

/**
 * Why the URL's host is deceptive, or null. `url` is the normalised URL (what is stored and
 * followed); `typed` is the URL as it was submitted, when there is one.
 */
export function deceptiveHost(url: string, typed: string = url): string | null {
  let asciiHost: string;
  try {
    asciiHost = new URL(url).hostname.replace(/\.$/, "");
  } catch {
    return null;
  }
  if (asciiHost.startsWith("[") || /^[\d.]+$/.test(asciiHost)) return null;
  const unicodeHost = asciiHost.includes("xn--") ? domainToUnicode(asciiHost) || asciiHost : asciiHost;
  const labels = unicodeHost.split(".");
  const owner = splitDomain(asciiHost).name;
  const tld = labels[labels.length - 1] ?? "";

  const candidates = [...labels, ...(typedLabels(typed) ?? [])];
  for (const label of candidates) {
    const brand = brandImitated(label);
    if (brand !== null && !brandOwnedBy(brand, owner)) return `imitates ${brand} with look-alike characters ('${label}')`;
  }
  for (const label of labels) {
    // An ASCII label is Latin and Common characters only: one script, none of them Cyrillic or
    // Greek, so rules 2 and 3 cannot apply (the script lookups were ~2% of a create).
    if (ASCII_TEXT.test(label)) continue;
    if (!isHighlyRestrictive(label)) return `mixes scripts in one name ('${label}': ${scriptNames(label).join(" and ")})`;
    const scripts = resolvedScripts(label);
    const script = scripts && ["Cyrillic", "Greek"].find((s) => scripts.has(s));
    if (script && LATIN_LOOKING.test(foldedSkeleton(label)) && !SCRIPT_HOME_TLDS[script]!.has(tld)) {
      return `is written in ${script} letters that look like the Latin '${foldedSkeleton(label)}' ('${label}')`;
    }
  }
  return null;
}
