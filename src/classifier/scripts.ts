// Which writing systems a host label uses, and whether the mix is one a real name would use: the
// "Highly Restrictive" level of Unicode Technical Standard #39, section 5.2. A label passes when
// one script covers all of it (Common and Inherited characters such as digits and combining marks
// go with any script), or when it is Latin mixed only with the scripts a Japanese, Chinese or
// Korean name is written in. The script data is the JavaScript engine's own (Script_Extensions
// property escapes), so it follows the Unicode version of the runtime.

/** Unicode script names (long aliases) as the regular-expression engine knows them; Common and Inherited apart. */
const SCRIPT_NAMES = [
  "Adlam",
  "Ahom",
  "Anatolian_Hieroglyphs",
  "Arabic",
  "Armenian",
  "Avestan",
  "Balinese",
  "Bamum",
  "Bassa_Vah",
  "Batak",
  "Bengali",
  "Beria_Erfe",
  "Bhaiksuki",
  "Bopomofo",
  "Brahmi",
  "Braille",
  "Buginese",
  "Buhid",
  "Canadian_Aboriginal",
  "Carian",
  "Caucasian_Albanian",
  "Chakma",
  "Cham",
  "Cherokee",
  "Chorasmian",
  "Coptic",
  "Cuneiform",
  "Cypriot",
  "Cypro_Minoan",
  "Cyrillic",
  "Deseret",
  "Devanagari",
  "Dives_Akuru",
  "Dogra",
  "Duployan",
  "Egyptian_Hieroglyphs",
  "Elbasan",
  "Elymaic",
  "Ethiopic",
  "Garay",
  "Georgian",
  "Glagolitic",
  "Gothic",
  "Grantha",
  "Greek",
  "Gujarati",
  "Gunjala_Gondi",
  "Gurmukhi",
  "Gurung_Khema",
  "Han",
  "Hangul",
  "Hanifi_Rohingya",
  "Hanunoo",
  "Hatran",
  "Hebrew",
  "Hiragana",
  "Imperial_Aramaic",
  "Inscriptional_Pahlavi",
  "Inscriptional_Parthian",
  "Javanese",
  "Kaithi",
  "Kannada",
  "Katakana",
  "Kawi",
  "Kayah_Li",
  "Kharoshthi",
  "Khitan_Small_Script",
  "Khmer",
  "Khojki",
  "Khudawadi",
  "Kirat_Rai",
  "Lao",
  "Latin",
  "Lepcha",
  "Limbu",
  "Linear_A",
  "Linear_B",
  "Lisu",
  "Lycian",
  "Lydian",
  "Mahajani",
  "Makasar",
  "Malayalam",
  "Mandaic",
  "Manichaean",
  "Marchen",
  "Masaram_Gondi",
  "Medefaidrin",
  "Meetei_Mayek",
  "Mende_Kikakui",
  "Meroitic_Cursive",
  "Meroitic_Hieroglyphs",
  "Miao",
  "Modi",
  "Mongolian",
  "Mro",
  "Multani",
  "Myanmar",
  "Nabataean",
  "Nag_Mundari",
  "Nandinagari",
  "New_Tai_Lue",
  "Newa",
  "Nko",
  "Nushu",
  "Nyiakeng_Puachue_Hmong",
  "Ogham",
  "Ol_Chiki",
  "Ol_Onal",
  "Old_Hungarian",
  "Old_Italic",
  "Old_North_Arabian",
  "Old_Permic",
  "Old_Persian",
  "Old_Sogdian",
  "Old_South_Arabian",
  "Old_Turkic",
  "Old_Uyghur",
  "Oriya",
  "Osage",
  "Osmanya",
  "Pahawh_Hmong",
  "Palmyrene",
  "Pau_Cin_Hau",
  "Phags_Pa",
  "Phoenician",
  "Psalter_Pahlavi",
  "Rejang",
  "Runic",
  "Samaritan",
  "Saurashtra",
  "Sharada",
  "Shavian",
  "Siddham",
  "Sidetic",
  "SignWriting",
  "Sinhala",
  "Sogdian",
  "Sora_Sompeng",
  "Soyombo",
  "Sundanese",
  "Sunuwar",
  "Syloti_Nagri",
  "Syriac",
  "Tagalog",
  "Tagbanwa",
  "Tai_Le",
  "Tai_Tham",
  "Tai_Viet",
  "Tai_Yo",
  "Takri",
  "Tamil",
  "Tangsa",
  "Tangut",
  "Telugu",
  "Thaana",
  "Thai",
  "Tibetan",
  "Tifinagh",
  "Tirhuta",
  "Todhri",
  "Tolong_Siki",
  "Toto",
  "Tulu_Tigalari",
  "Ugaritic",
  "Vai",
  "Vithkuqi",
  "Wancho",
  "Warang_Citi",
  "Yezidi",
  "Yi",
  "Zanabazar_Square",
] as const;

/**
 * One test per script, compiled on the first character beyond ASCII (they cost ~5 MB, which a
 * process that never meets an international name need not pay). A runtime older than some script
 * does not know it; its characters then count as a script of their own.
 */
let scriptTests: ReadonlyArray<readonly [string, RegExp]> | null = null;
const compileScriptTests = () =>
  SCRIPT_NAMES.flatMap((name) => {
    try {
      return [[name, new RegExp(`^\\p{scx=${name}}$`, "u")] as const];
    } catch {
      return [];
    }
  });
const ANY_SCRIPT = /^[\p{scx=Common}\p{scx=Inherited}]$/u;

// UTS #39's "augmented" script sets: Han also belongs to the Japanese, Korean and
// Han-with-Bopomofo writing systems, kana to Japanese, Hangul to Korean, Bopomofo to Hanb.
const JAPANESE = "Jpan";
const KOREAN = "Kore";
const HAN_BOPOMOFO = "Hanb";
const AUGMENTED: ReadonlySet<string> = new Set([JAPANESE, KOREAN, HAN_BOPOMOFO]);
function augment(scripts: Set<string>): Set<string> {
  if (scripts.has("Han")) for (const s of [JAPANESE, KOREAN, HAN_BOPOMOFO]) scripts.add(s);
  if (scripts.has("Hiragana") || scripts.has("Katakana")) scripts.add(JAPANESE);
  if (scripts.has("Hangul")) scripts.add(KOREAN);
  if (scripts.has("Bopomofo")) scripts.add(HAN_BOPOMOFO);
  return scripts;
}

/** null = goes with any script (Common, Inherited) */
const cache = new Map<number, ReadonlySet<string> | null>();
const CACHE_LIMIT = 20_000;

/** The augmented Script_Extensions of one character, or null when it fits any script. */
export function scriptsOf(ch: string): ReadonlySet<string> | null {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return /[a-zA-Z]/.test(ch) ? LATIN : null;
  const known = cache.get(cp);
  if (known !== undefined) return known;
  let scripts: ReadonlySet<string> | null = null;
  if (!ANY_SCRIPT.test(ch)) {
    const found = new Set<string>();
    scriptTests ??= compileScriptTests();
    for (const [name, test] of scriptTests) if (test.test(ch)) found.add(name);
    scripts = augment(found.size > 0 ? found : new Set([`U+${cp.toString(16)}`]));
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cp, scripts);
  return scripts;
}
const LATIN: ReadonlySet<string> = new Set(["Latin"]);

function intersect(a: Set<string> | null, b: ReadonlySet<string>): Set<string> {
  if (a === null) return new Set(b);
  for (const s of a) if (!b.has(s)) a.delete(s);
  return a;
}

/** The scripts every character of `text` belongs to (UTS #39 "resolved script set"); null = any. */
export function resolvedScripts(text: string, skip?: (scripts: ReadonlySet<string>) => boolean): Set<string> | null {
  let resolved: Set<string> | null = null;
  for (const ch of text) {
    const scripts = scriptsOf(ch);
    if (scripts === null || skip?.(scripts)) continue;
    resolved = intersect(resolved, scripts);
  }
  return resolved;
}

/** The scripts a label draws on, for messages ("Latin, Cyrillic"); Common and Inherited left out. */
export function scriptNames(text: string): string[] {
  const names = new Set<string>();
  for (const ch of text) {
    const scripts = scriptsOf(ch);
    if (scripts === null) continue;
    const first = [...scripts].find((s) => !AUGMENTED.has(s)) ?? [...scripts][0]!;
    names.add(first);
  }
  return [...names];
}

/** Whether `label` meets UTS #39's Highly Restrictive level (single script, or Latin + Jpan / Hanb / Kore). */
export function isHighlyRestrictive(label: string): boolean {
  const all = resolvedScripts(label);
  if (all === null || all.size > 0) return true;
  const rest = resolvedScripts(label, (scripts) => scripts.has("Latin"));
  return rest !== null && (rest.has(JAPANESE) || rest.has(HAN_BOPOMOFO) || rest.has(KOREAN));
}
