// Hand-picked phishing signals. They live apart from features.ts because they
// are word lists, not feature mechanics, and are the part most likely to be
// tuned as new lure patterns show up.

/** Words that phishing kits put in hosts and paths to look official or urgent. */
export const LURE_WORDS: ReadonlySet<string> = new Set([
  "login",
  "logon",
  "signin",
  "signon",
  "verify",
  "verification",
  "verified",
  "secure",
  "security",
  "account",
  "accounts",
  "update",
  "confirm",
  "confirmation",
  "unlock",
  "locked",
  "suspend",
  "suspended",
  "billing",
  "password",
  "wallet",
  "restore",
  "recovery",
  "authenticate",
  "auth",
  "webscr",
  "validate",
  "validation",
  "invoice",
  "refund",
  "rebate",
  "claim",
  "prize",
  "winner",
  "won",
  "gift",
  "giftcard",
  "free",
  "alert",
  "alerts",
  "limited",
  "helpdesk",
  "kyc",
  "2fa",
  "session",
  "ebayisapi",
  "redelivery",
  "redeliver",
  "reschedule",
  "appeal",
  "violation",
  "rectify",
  "sync",
  "airdrop",
  "unusual",
  "expired",
  "renew",
  "renewal",
  "payee",
  "fee",
  "customs",
]);

/** Brands that phishing impersonates, with the registrable-domain names they really own. */
const BRAND_OWNERS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ["paypal", ["paypal"]],
  ["apple", ["apple"]],
  ["appleid", ["apple"]],
  ["icloud", ["icloud", "apple"]],
  ["microsoft", ["microsoft"]],
  ["microsoftonline", ["microsoftonline", "microsoft"]],
  ["office365", ["office", "microsoft"]],
  ["outlook", ["outlook", "live", "office", "microsoft"]],
  ["onedrive", ["live", "microsoft", "onedrive"]],
  ["sharepoint", ["sharepoint", "microsoft"]],
  ["owa", ["office", "microsoft", "outlook"]],
  ["netflix", ["netflix"]],
  ["nflx", ["netflix"]],
  ["amazon", ["amazon", "amazonaws"]],
  ["amzn", ["amazon"]],
  ["chase", ["chase"]],
  ["wellsfargo", ["wellsfargo"]],
  ["bankofamerica", ["bankofamerica"]],
  ["boa", ["bankofamerica"]],
  ["citi", ["citi"]],
  ["usaa", ["usaa"]],
  ["hsbc", ["hsbc"]],
  ["lloyds", ["lloydsbank", "lloyds"]],
  ["natwest", ["natwest"]],
  ["barclays", ["barclays"]],
  ["santander", ["santander"]],
  ["halifax", ["halifax"]],
  ["monzo", ["monzo"]],
  ["revolut", ["revolut"]],
  ["capitalone", ["capitalone"]],
  ["navyfed", ["navyfederal"]],
  ["dhl", ["dhl"]],
  ["fedex", ["fedex"]],
  ["ups", ["ups"]],
  ["usps", ["usps"]],
  ["royalmail", ["royalmail"]],
  ["evri", ["evri"]],
  ["auspost", ["auspost"]],
  ["canadapost", ["canadapost"]],
  ["laposte", ["laposte"]],
  ["correos", ["correos"]],
  ["postnl", ["postnl"]],
  ["coinbase", ["coinbase"]],
  ["binance", ["binance"]],
  ["metamask", ["metamask"]],
  ["trustwallet", ["trustwallet"]],
  ["ledger", ["ledger"]],
  ["kraken", ["kraken"]],
  ["blockchain", ["blockchain"]],
  ["opensea", ["opensea"]],
  ["uniswap", ["uniswap"]],
  ["phantom", ["phantom"]],
  ["pancakeswap", ["pancakeswap"]],
  ["walletconnect", ["walletconnect"]],
  ["facebook", ["facebook"]],
  ["fb", ["facebook", "fb"]],
  ["meta", ["meta", "facebook"]],
  ["instagram", ["instagram"]],
  ["whatsapp", ["whatsapp"]],
  ["tiktok", ["tiktok"]],
  ["discord", ["discord"]],
  ["discordapp", ["discordapp"]],
  ["steam", ["steampowered", "steamcommunity"]],
  ["steamcommunity", ["steamcommunity"]],
  ["twitter", ["twitter"]],
  ["linkedin", ["linkedin"]],
  ["docusign", ["docusign"]],
  ["dropbox", ["dropbox"]],
  ["adobe", ["adobe"]],
  ["wetransfer", ["wetransfer"]],
  ["google", ["google", "googleapis"]],
  ["gmail", ["google", "gmail"]],
  ["ebay", ["ebay"]],
  ["walmart", ["walmart"]],
  ["target", ["target"]],
  ["bestbuy", ["bestbuy"]],
  ["norton", ["norton"]],
  ["mcafee", ["mcafee"]],
  ["aws", ["amazon", "amazonaws"]],
  ["sbi", ["onlinesbi", "sbi"]],
  ["rakuten", ["rakuten"]],
  ["aol", ["aol"]],
  ["robux", ["roblox"]],
  ["roblox", ["roblox"]],
]);

const GOV_LURE_TOKENS: ReadonlySet<string> = new Set(["gov", "govuk", "irs", "hmrc", "dvla", "ato", "mygov", "ssa", "medicare", "cra", "uscis", "dmv"]);

/** Labels that only make sense as a TLD; seeing one left of the registrable domain means a domain is being impersonated. */
export const TLD_LIKE_LABELS: ReadonlySet<string> = new Set(["com", "net", "org", "co", "gov", "edu", "uk", "us", "io", "info"]);

/** TLDs over-represented in public phishing feeds relative to legitimate traffic. */
export const RISKY_TLDS: ReadonlySet<string> = new Set([
  "tk",
  "ml",
  "ga",
  "cf",
  "gq",
  "xyz",
  "top",
  "icu",
  "buzz",
  "cyou",
  "sbs",
  "rest",
  "click",
  "online",
  "support",
  "help",
  "info",
  "club",
  "site",
  "today",
  "download",
  "claims",
  "gift",
  "ru",
  "cn",
  "su",
  "cc",
  "pw",
  "ws",
  "biz",
  "website",
  "space",
  "fun",
  "monster",
  "cloud",
]);

export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  "exe",
  "msi",
  "scr",
  "apk",
  "bat",
  "cmd",
  "jar",
  "dll",
  "ps1",
  "vbs",
  "zip",
  "rar",
  "7z",
  "iso",
  "img",
]);

export function brandOwnedBy(brand: string, name: string): boolean {
  const owners = BRAND_OWNERS.get(brand);
  return owners?.includes(name) === true;
}

export function isBrand(token: string): boolean {
  return BRAND_OWNERS.has(token);
}

/** Every brand name on the list. */
export function brandNames(): IterableIterator<string> {
  return BRAND_OWNERS.keys();
}

export function isGovLureToken(token: string): boolean {
  return GOV_LURE_TOKENS.has(token);
}

const LEET: Readonly<Record<string, string>> = { "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", $: "s" };

function deLeet(token: string): string {
  let out = "";
  for (const ch of token) out += LEET[ch] ?? ch;
  return out.replace(/rn/g, "m").replace(/vv/g, "w");
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/**
 * True when a host token imitates a brand without being it ("paypa1", "arnazon").
 * Short brands are excluded from edit-distance matching because one edit turns
 * them into ordinary words ("apple" -> "apply").
 */
export function isLookalikeToken(token: string): boolean {
  if (token.length < 5 || BRAND_OWNERS.has(token)) return false;
  const clean = deLeet(token);
  for (const brand of BRAND_OWNERS.keys()) {
    if (brand.length < 5) continue;
    if (clean === brand) return true;
    if (brand.length >= 6 && (withinOneEdit(token, brand) || withinOneEdit(clean, brand))) return true;
  }
  return false;
}
