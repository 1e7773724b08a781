// A small topic lexicon. Hashed tokens only help for words seen in training;
// these stems add prior knowledge, and they also match inside compound host
// names ("bbcgoodfood", "washingtonpost") that tokenising can't split.

import type { UrlLabel } from "./labels.ts";

type Topic = Exclude<UrlLabel, "suspicious">;

const TOPIC_STEMS: Readonly<Record<Topic, readonly string[]>> = {
  news: [
    "news", "times", "post", "herald", "tribune", "gazette", "journal", "daily", "chronicle", "courier",
    "guardian", "telegraph", "observer", "independent", "reporter", "press", "politic", "election", "breaking",
    "headline", "sentinel", "examiner", "inquirer", "dispatch", "bulletin", "world", "nation", "opinion",
    "editorial", "article", "story", "live", "liveblog", "crisis", "war", "minister", "president",
  ],
  social: [
    "social", "chat", "friend", "follow", "profile", "status", "community", "forum", "group", "invite",
    "feed", "dating", "tweet", "messag", "hashtag", "reel", "reels", "people", "user", "mastodon", "fediverse",
    "meetup", "inbox", "notification", "share",
  ],
  shopping: [
    "shop", "store", "buy", "cart", "checkout", "product", "deal", "sale", "outlet", "mall", "price", "basket",
    "wishlist", "bargain", "discount", "coupon", "fashion", "cloth", "apparel", "shoe", "sneaker", "furniture",
    "beauty", "boutique", "catalog", "item", "listing", "dress", "jeans", "sofa", "market",
  ],
  technology: [
    "tech", "gadget", "review", "phone", "mobile", "android", "iphone", "ipad", "laptop", "computer",
    "software", "hardware", "chip", "gpu", "cpu", "digital", "smart", "device", "wireless", "camera", "wifi",
    "router", "windows", "pixel", "galaxy", "ai", "robot", "cyber", "geek", "pc", "mac", "silicon", "vpn",
    "ssd", "monitor", "headphone", "earbud",
  ],
  developer: [
    "dev", "developer", "code", "coding", "git", "docs", "doc", "api", "sdk", "library", "package", "crate",
    "npm", "pypi", "repo", "program", "script", "compiler", "framework", "debug", "stack", "python", "java",
    "rust", "golang", "typescript", "javascript", "node", "react", "linux", "kernel", "docker", "kube",
    "cloud", "database", "sql", "query", "function", "tutorial", "reference", "install", "cli", "config",
    "manual", "guide", "issue", "pull", "commit", "blob", "tree", "release",
  ],
  finance: [
    "financ", "money", "bank", "invest", "stock", "trade", "trading", "fund", "loan", "mortgage", "credit",
    "debit", "card", "insur", "wealth", "capital", "asset", "crypto", "bitcoin", "coin", "exchange", "forex",
    "currency", "rate", "saving", "pension", "retire", "etf", "dividend", "equity", "bond", "broker", "quote",
    "tax", "budget", "economy", "inflation", "ira", "isa",
  ],
  entertainment: [
    "movie", "film", "cinema", "tv", "show", "series", "episode", "music", "song", "album", "artist", "lyric",
    "video", "watch", "stream", "game", "gaming", "play", "anime", "comic", "celeb", "hollywood", "radio",
    "podcast", "concert", "ticket", "theater", "theatre", "trailer", "box", "office", "netflix", "spotify",
  ],
  sports: [
    "sport", "football", "soccer", "basketball", "baseball", "hockey", "tennis", "golf", "cricket", "rugby",
    "nfl", "nba", "mlb", "nhl", "f1", "racing", "race", "olympic", "athlet", "league", "match", "score",
    "fixture", "team", "player", "cup", "champion", "bet", "odds", "fantasy", "ufc", "boxing", "mma",
    "marathon", "cycling", "swim", "transfer", "standings", "draft",
  ],
  health: [
    "health", "medic", "clinic", "hospital", "doctor", "nurse", "care", "patient", "disease", "condition",
    "symptom", "treatment", "drug", "pharma", "pill", "vaccin", "cancer", "heart", "diabetes", "mental",
    "therapy", "therapist", "anxiety", "depression", "sleep", "diet", "nutrition", "fitness", "wellness",
    "pregnan", "baby", "blood", "pain", "covid", "flu", "virus", "surgery", "dental", "eye", "nhs", "mind",
  ],
  education: [
    "edu", "learn", "school", "academ", "universit", "college", "course", "class", "student", "teach",
    "lesson", "study", "exam", "tutor", "degree", "admission", "campus", "lecture", "scholar", "math",
    "science", "history", "homework", "quiz", "revision", "grade", "curriculum", "dictionary",
    "encyclopedia", "wiki", "research", "ac", "gcse", "sat",
  ],
  travel: [
    "travel", "trip", "tour", "hotel", "flight", "airline", "air", "airport", "booking", "vacation", "holiday",
    "resort", "cruise", "destination", "visit", "beach", "hostel", "rental", "car", "rail", "train", "bus",
    "ferry", "itinerary", "attraction", "sightsee", "camping", "campsite", "lodge", "inn", "stay", "fly",
    "baggage", "cottage",
  ],
  government: [
    "gov", "govt", "gouv", "gob", "state", "federal", "council", "city", "county", "parliament", "senate",
    "congress", "minist", "department", "agency", "official", "law", "legislation", "bill", "court",
    "justice", "revenue", "benefit", "passport", "visa", "immigra", "citizen", "vote", "licence", "license",
    "permit", "police", "public", "president", "mayor", "embassy", "consular", "regulation",
  ],
  food: [
    "food", "recipe", "cook", "kitchen", "bake", "baking", "chef", "eat", "dish", "meal", "menu", "restaurant",
    "dinner", "lunch", "breakfast", "dessert", "cake", "bread", "pizza", "burger", "chicken", "vegan",
    "vegetarian", "taste", "tasty", "delicious", "yum", "grill", "cafe", "coffee", "wine", "cocktail", "beer",
    "drink", "snack", "soup", "salad", "pasta", "curry", "spice", "cookie", "delivery",
  ],
};

export const TOPICS = Object.keys(TOPIC_STEMS) as Topic[];

// stem -> indices into TOPICS (a stem may serve more than one topic).
const STEM_TOPICS = new Map<string, number[]>();
TOPICS.forEach((topic, t) => {
  for (const stem of TOPIC_STEMS[topic]) STEM_TOPICS.set(stem, [...(STEM_TOPICS.get(stem) ?? []), t]);
});

const MAX_PART = 40;

// Host parts match a stem exactly, or by prefix/suffix for stems of 4+
// letters, or anywhere for stems of 5+ letters. Enumerating the part's own
// substrings and looking them up is much cheaper than scanning every stem.
function hostStems(part: string, into: Set<string>): void {
  const p = part.slice(0, MAX_PART);
  if (STEM_TOPICS.has(p)) into.add(p);
  if (p.length >= 4) {
    const pre = p.slice(0, 4);
    const suf = p.slice(-4);
    if (STEM_TOPICS.has(pre)) into.add(pre);
    if (STEM_TOPICS.has(suf)) into.add(suf);
  }
  for (let i = 0; i < p.length; i++) {
    for (let j = i + 5; j <= p.length; j++) {
      const sub = p.slice(i, j);
      if (STEM_TOPICS.has(sub)) into.add(sub);
    }
  }
}

// Path words match a stem exactly, or start with a stem of 4+ letters.
function pathStems(word: string, into: Set<string>): void {
  const w = word.slice(0, MAX_PART);
  if (STEM_TOPICS.has(w)) into.add(w);
  for (let k = 4; k < w.length; k++) {
    const pre = w.slice(0, k);
    if (STEM_TOPICS.has(pre)) into.add(pre);
  }
}

function countByTopic(stems: ReadonlySet<string>): number[] {
  const counts = new Array<number>(TOPICS.length).fill(0);
  for (const stem of stems) for (const t of STEM_TOPICS.get(stem) ?? []) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}

/** Number of distinct stems of each topic found in host parts and in path words, in TOPICS order. */
export function topicHits(hostParts: readonly string[], pathWords: readonly string[]): { host: number[]; path: number[] } {
  const host = new Set<string>();
  const path = new Set<string>();
  for (const part of hostParts) hostStems(part, host);
  for (const word of pathWords) pathStems(word, path);
  return { host: countByTopic(host), path: countByTopic(path) };
}
