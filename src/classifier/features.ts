// The one feature function used by training and inference. Everything that
// turns a URL string into numbers happens here (including normalisation), so
// the ONNX graph is only the linear model and can't drift from training.

import { domainToUnicode } from "node:url";
import { isHostingSuffix, isIpLiteral, parseUrl, splitDomain, type ParsedUrl } from "./domain.ts";
import { deceptiveHost } from "./host-spoofing.ts";
import { EXECUTABLE_EXTENSIONS, LURE_WORDS, RISKY_TLDS, TLD_LIKE_LABELS, brandOwnedBy, isBrand, isGovLureToken, isLookalikeToken } from "./signals.ts";
import { topicHits } from "./topics.ts";

/** Width of every feature vector; the ONNX input is [N, FEATURE_DIM]. */
export const FEATURE_DIM = 16384;
/** Trailing slots reserved for the hand-made structural features. */
export const STRUCT_DIM = 64;
const HASH_DIM = FEATURE_DIM - STRUCT_DIM;

/** Version tag written into the model so a feature change can't silently reuse old weights. */
export const FEATURE_VERSION = "url-features-v3";

// Relative weight of each hashed group after per-group L2 normalisation, so a
// long path cannot drown out the host just by having more tokens. Host
// identity is down-weighted: it lets the model memorise training domains,
// which does nothing for the unseen domains it will mostly face. Chosen by
// 5-fold cross-validation by domain inside the training split (train.ts --cv).
const GROUP_WEIGHT = {
  hostTokens: 0.5,
  hostGrams: 0.5,
  pathTokens: 1.0,
  pathGrams: 1.2,
  pathShape: 0.6,
  sharedGrams: 1.5,
} as const;

// The topic-lexicon slots are binary-ish counts; scaling them up lets AdaGrad
// lean on them early instead of on memorised host tokens.
const LEXICON_SCALE = 2;

const MAX_PATH_CHARS = 200;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continues an FNV-1a state over `text`: fnv1a(a + b) === fnvFeed(fnvFeed(OFFSET, a), b). */
function fnvFeed(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** FNV-1a 32-bit over UTF-16 code units: stable across runtimes and cheap. */
export function fnv1a(text: string): number {
  return fnvFeed(FNV_OFFSET, text) >>> 0;
}

/**
 * Adds one group's tokens: each distinct token `t` puts weight/sqrt(count) at
 * fnv1a(`${group}\u0001${t}`) % HASH_DIM. The hash is continued from the group's
 * prefix rather than computed over a concatenated string: building those strings
 * was most of what feature extraction cost (~120 µs per URL before, see bench/classifier.ts).
 */
function addGroup(out: Float32Array, group: string, tokens: ReadonlySet<string>, weight: number): void {
  if (tokens.size === 0) return;
  const v = weight / Math.sqrt(tokens.size);
  const prefix = fnvFeed(FNV_OFFSET, `${group}\u0001`);
  for (const t of tokens) {
    const i = (fnvFeed(prefix, t) >>> 0) % HASH_DIM;
    out[i] = (out[i] ?? 0) + v;
  }
}

/**
 * A group of character n-grams as the distinct tokens `${n}:${gram}` of the training code, kept
 * without building a string per gram: each gram is hashed (as that token, prefixed by its group)
 * straight from its text, and told apart from the others by that hash, with a character-by-character
 * comparison when two hashes are equal, so the distinct grams (and so the group's weight) are
 * exactly those of a Set of strings. Building and hashing those strings was ~40% of a URL's features.
 */
class GramGroup {
  /** final hash of each distinct gram, in first-seen order */
  readonly hashes: number[] = [];
  private readonly texts: string[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  /** open addressing over the hashes: slot = index + 1 of a gram, 0 = empty (a Map cost ~15% of extraction) */
  private slots = new Int32Array(256);
  private readonly prefix: number;
  private readonly prefixByLength = new Map<number, number>();

  constructor(group: string) {
    this.prefix = fnvFeed(FNV_OFFSET, `${group}\u0001`);
  }

  get size(): number {
    return this.hashes.length;
  }

  /** every gram of each size in `sizes` */
  addGrams(text: string, sizes: readonly number[]): void {
    for (const n of sizes) {
      let start = this.prefixByLength.get(n);
      if (start === undefined) {
        start = fnvFeed(this.prefix, `${n}:`);
        this.prefixByLength.set(n, start);
      }
      for (let i = 0; i + n <= text.length; i++) {
        let h = start;
        for (let j = i; j < i + n; j++) {
          h ^= text.charCodeAt(j);
          h = Math.imul(h, FNV_PRIME);
        }
        this.add(text, i, n, h >>> 0);
      }
    }
  }

  private add(text: string, start: number, n: number, hash: number): void {
    let mask = this.slots.length - 1;
    let at = hash & mask;
    for (let slot = this.slots[at]!; slot !== 0; slot = this.slots[at]!) {
      const k = slot - 1;
      if (this.hashes[k] === hash && this.sameGram(k, text, start, n)) return;
      at = (at + 1) & mask;
    }
    const k = this.hashes.length;
    this.hashes.push(hash);
    this.texts.push(text);
    this.starts.push(start);
    this.lengths.push(n);
    if ((k + 1) * 2 > this.slots.length) {
      this.grow();
      mask = this.slots.length - 1;
      at = hash & mask;
      while (this.slots[at] !== 0) at = (at + 1) & mask;
    }
    this.slots[at] = k + 1;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    // every gram but the one being added (the caller places it)
    for (let k = 0; k < this.hashes.length - 1; k++) {
      let at = this.hashes[k]! & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = k + 1;
    }
    this.slots = slots;
  }

  private sameGram(k: number, text: string, start: number, n: number): boolean {
    if (this.lengths[k] !== n) return false;
    const other = this.texts[k]!;
    const at = this.starts[k]!;
    for (let j = 0; j < n; j++) if (other.charCodeAt(at + j) !== text.charCodeAt(start + j)) return false;
    return true;
  }

  /** Adds weight/sqrt(count) at each distinct gram's index, as addGroup does for tokens. */
  writeTo(out: Float32Array, weight: number): void {
    if (this.hashes.length === 0) return;
    const v = weight / Math.sqrt(this.hashes.length);
    for (const h of this.hashes) {
      const i = h % HASH_DIM;
      out[i] = (out[i] ?? 0) + v;
    }
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces IDs with their shape so that unseen article/product numbers still match. */
function wordShape(token: string): string {
  if (/^\d+$/.test(token)) return token.length <= 4 ? token : `#d${Math.min(token.length, 12)}`;
  const hasDigit = /\d/.test(token);
  if (hasDigit && token.length >= 7) return `#x${Math.min(Math.floor(token.length / 4), 8)}`;
  if (token.length > 24) return "#long";
  return token;
}

function segmentClass(segment: string): string {
  if (segment.startsWith("@")) return "@";
  if (/^\d+$/.test(segment)) return "d";
  const hyphens = (segment.match(/[-_]/g) ?? []).length;
  if (hyphens >= 3) return "s";
  if (/\d/.test(segment) && /[a-z]/.test(segment)) return segment.length >= 7 ? "x" : "w";
  if (segment.includes(".")) return "f";
  return "w";
}

function entropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const clamp = (x: number, hi: number): number => Math.min(x, hi);

interface Parts {
  /** the parsed URL with an international host in its Unicode form */
  readonly url: ParsedUrl;
  /** the host is built to be mistaken for another (host-spoofing.ts) */
  readonly deceptive: boolean;
  readonly hostLabels: readonly string[];
  readonly hostWords: readonly string[];
  readonly pathWords: readonly string[];
  readonly segments: readonly string[];
  readonly query: string;
  readonly extension: string;
}

function split(raw: string): Parts {
  const parsed = parseUrl(raw);
  // An international name is read as written (bücher.de), not as its punycode (xn--bcher-kva.de),
  // whose letters and n-grams mean nothing and made every IDN look like phishing.
  const url = parsed.host.includes("xn--") ? { ...parsed, host: domainToUnicode(parsed.host) || parsed.host } : parsed;
  const deceptive = parsed.host !== "" && !isIpLiteral(parsed.host) && deceptiveHost(`http://${parsed.host}/`, raw) !== null;
  const path = safeDecode(url.path).slice(0, MAX_PATH_CHARS);
  const q = path.indexOf("?");
  const pathname = q < 0 ? path : path.slice(0, q);
  const segments = pathname.split("/").filter((s) => s.length > 0);
  const last = segments[segments.length - 1] ?? "";
  const dot = last.lastIndexOf(".");
  const hostLabels = url.host.split(".").filter((l) => l.length > 0);
  return {
    url,
    deceptive,
    hostLabels,
    hostWords: url.host.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0),
    pathWords: path.split(/[^a-z0-9]+/).filter((w) => w.length > 0),
    segments,
    query: q < 0 ? "" : path.slice(q + 1),
    extension: dot > 0 ? last.slice(dot + 1) : "",
  };
}

function hashedGroups(p: Parts, out: Float32Array): void {
  const { url } = p;
  const ip = isIpLiteral(url.host);
  const dom = splitDomain(url.host);

  const hostTokens = new Set<string>();
  const hostGrams = new GramGroup("hg");
  if (ip) {
    hostTokens.add("<ip>");
  } else {
    for (const w of p.hostWords) hostTokens.add(wordShape(w));
    hostTokens.add(`reg=${dom.registrable}`);
    hostTokens.add(`name=${dom.name}`);
    hostTokens.add(`suffix=${dom.suffix}`);
    hostTokens.add(`tld=${p.hostLabels[p.hostLabels.length - 1] ?? ""}`);
    for (const s of dom.subdomains) hostTokens.add(`sub=${wordShape(s)}`);
    const bare = url.host.startsWith("www.") ? url.host.slice(4) : url.host;
    hostGrams.addGrams(`^${bare}$`, [3, 4]);
  }
  addGroup(out, "ht", hostTokens, GROUP_WEIGHT.hostTokens);
  hostGrams.writeTo(out, GROUP_WEIGHT.hostGrams);

  const pathTokens = new Set<string>();
  const shaped = p.pathWords.map(wordShape);
  for (const w of shaped) pathTokens.add(w);
  for (let i = 0; i + 1 < shaped.length; i++) pathTokens.add(`${shaped[i]}_${shaped[i + 1]}`);
  addGroup(out, "pt", pathTokens, GROUP_WEIGHT.pathTokens);

  const pathGrams = new GramGroup("pg");
  pathGrams.addGrams(` ${p.pathWords.filter((w) => !/\d/.test(w)).join(" ")} `, [3, 4]);
  pathGrams.writeTo(out, GROUP_WEIGHT.pathGrams);

  // Host names and path words share one n-gram space, so "food" in
  // bbcgoodfood.com and in /food/recipes/ land on the same weights.
  const shared = new GramGroup("sh");
  const hostWords = ip ? [] : [dom.name, ...dom.subdomains];
  for (const w of [...hostWords, ...p.pathWords]) if (w.length >= 4 && !/\d/.test(w)) shared.addGrams(w, [4, 5]);
  shared.writeTo(out, GROUP_WEIGHT.sharedGrams);

  const shape = new Set<string>();
  const classes = p.segments.slice(0, 5).map(segmentClass);
  shape.add(`shape=${classes.join("/")}`);
  shape.add(`depth=${Math.min(p.segments.length, 6)}`);
  const first = p.segments[0];
  if (first !== undefined) shape.add(`p0=${first.length > 30 ? "#long" : first.replace(/\d+/g, "0")}`);
  if (p.extension) shape.add(`ext=${p.extension.slice(0, 8)}`);
  for (const kv of p.query.split("&")) {
    const key = kv.split("=")[0];
    if (key) shape.add(`qk=${key.slice(0, 20)}`);
  }
  if (url.scheme) shape.add(`scheme=${url.scheme}`);
  addGroup(out, "ps", shape, GROUP_WEIGHT.pathShape);
}

function structural(p: Parts, out: Float32Array): void {
  const { url } = p;
  const host = url.host;
  const ip = isIpLiteral(host);
  const dom = splitDomain(host);
  const tld = ip ? "" : (p.hostLabels[p.hostLabels.length - 1] ?? "");
  const hostDigits = (host.match(/\d/g) ?? []).length;
  const pathDigits = (url.path.match(/\d/g) ?? []).length;
  const hostTokenList = ip ? [] : host.split(/[.-]/).filter((t) => t.length > 0);
  const lures = new Set<string>();
  for (const w of [...hostTokenList, ...p.pathWords]) if (LURE_WORDS.has(w)) lures.add(w);
  const lureInHost = hostTokenList.some((t) => LURE_WORDS.has(t));
  const brandInHost = hostTokenList.some((t) => isBrand(t) && !brandOwnedBy(t, dom.name));
  const brandInPath = p.pathWords.some((w) => isBrand(w) && !brandOwnedBy(w, dom.name));
  const lookalike = hostTokenList.some(isLookalikeToken);
  const isGovHost = tld === "gov" || /^(gov|govt|gouv|gob|go|gv|gc)$/.test(dom.suffix.split(".")[0] ?? "");
  const govLure = !isGovHost && hostTokenList.some(isGovLureToken);
  const embeddedDomain = dom.subdomains.some((s) => TLD_LIKE_LABELS.has(s));
  const longestLabel = p.hostLabels.reduce((m, l) => Math.max(m, l.length), 0);
  const randomLabel =
    !ip &&
    p.hostLabels.some((l) => {
      const digits = (l.match(/\d/g) ?? []).length;
      return (l.length >= 10 && digits >= 3 && l.length - digits >= 3) || l.length >= 25;
    });
  const pathname = p.segments.join("/");
  const compromisedPath = /(^|\/)(wp-content|wp-includes|wp-admin|\.well-known|cgi-bin|~[a-z0-9_]*)(\/|$)/.test(pathname);

  const f = [
    ip ? 1 : 0,
    p.deceptive ? 1 : 0,
    clamp(host.length / 40, 2),
    clamp((host.match(/\./g) ?? []).length / 4, 2),
    clamp((host.match(/-/g) ?? []).length / 4, 2),
    host.length > 0 ? hostDigits / host.length : 0,
    url.path.length > 0 ? pathDigits / url.path.length : 0,
    clamp(url.path.length / 100, 2),
    clamp(p.query.length / 100, 2),
    clamp(p.segments.length / 6, 2),
    clamp(lures.size / 3, 1.5),
    lureInHost ? 1 : 0,
    brandInHost ? 1 : 0,
    brandInPath ? 1 : 0,
    lookalike ? 1 : 0,
    RISKY_TLDS.has(tld) ? 1 : 0,
    isHostingSuffix(dom.suffix) && dom.suffix !== "readthedocs.io" ? 1 : 0,
    url.port !== "" ? 1 : 0,
    url.scheme === "http" ? 1 : 0,
    url.hasUserInfo ? 1 : 0,
    EXECUTABLE_EXTENSIONS.has(p.extension) || p.segments.includes("bins") ? 1 : 0,
    /^(php|asp|aspx|cgi|jsp)$/.test(p.extension) ? 1 : 0,
    clamp(longestLabel / 20, 2),
    ip ? 0 : entropy(dom.name) / 4,
    clamp(dom.subdomains.length / 3, 2),
    url.ok ? 0 : 1,
    randomLabel ? 1 : 0,
    govLure ? 1 : 0,
    embeddedDomain ? 1 : 0,
    compromisedPath ? 1 : 0,
    p.segments.length === 0 ? 1 : 0,
    url.path.includes("@") ? 1 : 0,
  ];
  const hits = topicHits(hostTokenList, p.pathWords);
  for (const c of hits.host) f.push(LEXICON_SCALE * (c >= 2 ? 1 : c / 2));
  for (const c of hits.path) f.push(LEXICON_SCALE * (c >= 3 ? 1 : c / 3));
  if (f.length > STRUCT_DIM) throw new Error(`structural features overflow: ${f.length} > ${STRUCT_DIM}`);
  for (let i = 0; i < f.length; i++) out[HASH_DIM + i] = f[i] ?? 0;
}

/** Fills `out` (length FEATURE_DIM, zeroed by the caller) with the features of one URL. */
export function writeFeatures(rawUrl: string, out: Float32Array): void {
  const p = split(rawUrl);
  hashedGroups(p, out);
  structural(p, out);
}

/** Dense, fixed-width feature vector for one URL. Never throws, whatever the input. */
export function extractFeatures(rawUrl: string): Float32Array {
  const out = new Float32Array(FEATURE_DIM);
  writeFeatures(rawUrl, out);
  return out;
}

/**
 * Row-major [urls.length, FEATURE_DIM] matrix, ready to be an ONNX tensor. Written into `into`
 * (cleared first) when it is large enough: at 64 KiB per URL, a fresh matrix per batch was most of
 * what a create-heavy server allocated.
 */
export function extractBatch(urls: readonly string[], into?: Float32Array): Float32Array {
  const size = urls.length * FEATURE_DIM;
  let out: Float32Array;
  if (into !== undefined && into.length >= size) {
    out = into.subarray(0, size);
    out.fill(0);
  } else out = new Float32Array(size);
  urls.forEach((u, i) => {
    writeFeatures(u, out.subarray(i * FEATURE_DIM, (i + 1) * FEATURE_DIM));
  });
  return out;
}
