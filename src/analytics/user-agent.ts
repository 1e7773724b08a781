/**
 * A small hand-written User-Agent reader: bot or not, browser family, OS family, device type.
 * Families only, never versions: the stats need "Chrome on Android, mobile", and a short ordered list
 * of tests is cheaper to keep right than a full UA database (no new dependency on the worker path).
 *
 * Order matters: Chromium-based browsers also say "Chrome" and "Safari", and Android says "Linux",
 * so the more specific token is tested first.
 */
export type DeviceType = "desktop" | "mobile" | "tablet" | "bot" | "unknown";

export interface UserAgentInfo {
  bot: boolean;
  browser: string;
  os: string;
  device: DeviceType;
}

/**
 * Known crawlers, link previewers, monitors, HTTP libraries and headless browsers. A request from
 * one of these is a click, but not a person's: counted as `bot`, excluded from `human`.
 */
const KNOWN_BOTS =
  /googlebot|google-inspectiontool|adsbot-google|mediapartners-google|bingbot|bingpreview|msnbot|slurp|duckduckbot|baiduspider|yandex(?:bot|images|metrika)?\b|sogou|exabot|facebookexternalhit|facebot|meta-externalagent|twitterbot|linkedinbot|slackbot|slack-imgproxy|discordbot|whatsapp|telegrambot|skypeuripreview|pinterest(?:bot)?|redditbot|applebot|petalbot|semrushbot|ahrefsbot|mj12bot|dotbot|bytespider|gptbot|chatgpt-user|claudebot|claude-web|anthropic-ai|ccbot|amazonbot|embedly|quora link preview|vkshare|cardyb|iframely|outbrain|curl\/|wget\/|python-requests|python-urllib|python-httpx|aiohttp|go-http-client|java\/|okhttp|apache-httpclient|libwww-perl|node-fetch|axios\/|undici|got \(|httpie|postmanruntime|insomnia|headlesschrome|phantomjs|puppeteer|playwright|selenium|lighthouse|pingdom|uptimerobot|statuscake|site24x7|newrelicpinger|datadog|wrk\b|ab\/|apachebench|k6\/|oha\//i;

/** Generic markers that nearly always mean automation ("...bot/1.0", "crawler", "spider"). */
const GENERIC_BOT = /(?:^|[^a-z])[a-z-]*(?:bot|crawler|spider|scraper|crawl)(?:[^a-z]|$)/i;
/** Real devices whose name contains "bot" (Cubot phones) must not trip the generic rule. */
const NOT_A_BOT = /cubot/i;

export function isBot(userAgent: string | null | undefined): boolean {
  // Every browser sends a User-Agent; a request without one (or with a blank one) is a script.
  if (userAgent === null || userAgent === undefined || userAgent.trim() === "") return true;
  if (KNOWN_BOTS.test(userAgent)) return true;
  return GENERIC_BOT.test(userAgent) && !NOT_A_BOT.test(userAgent);
}

const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b|\bOPT\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bYaBrowser\//, "Yandex Browser"],
  [/\bVivaldi\//, "Vivaldi"],
  [/\bUCBrowser\//, "UC Browser"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bCriOS\/|\bChrome\/|\bChromium\//, "Chrome"],
  [/\bMSIE |\bTrident\//, "Internet Explorer"],
  [
    /\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari|^Mozilla\/5\.0 \((?:iPhone|iPad|iPod)[^)]*\) AppleWebKit\/[\d.]+ \(KHTML, like Gecko\)(?: Mobile\/\w+)?$/,
    "Safari",
  ],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bWindows Phone\b/, "Windows Phone"],
  [/\bWindows\b|\bWin64\b|\bWin32\b/, "Windows"],
  [/\biPhone\b|\biPad\b|\biPod\b|\bCPU (?:iPhone )?OS \d/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b|\bUbuntu\b|\bFedora\b/, "Linux"],
];

function firstMatch(ua: string, table: ReadonlyArray<readonly [RegExp, string]>): string {
  for (const [pattern, name] of table) if (pattern.test(ua)) return name;
  return "Other";
}

function deviceOf(ua: string, os: string): DeviceType {
  if (/\biPad\b|\bTablet\b|\bKindle\b|\bSilk\//.test(ua)) return "tablet";
  // Android phones say "Mobile"; Android tablets leave it out.
  if (os === "Android") return /\bMobile\b/.test(ua) ? "mobile" : "tablet";
  if (/\bMobi|\biPhone\b|\biPod\b|\bWindows Phone\b|\bOpera Mini\b/.test(ua)) return "mobile";
  if (os === "Windows" || os === "macOS" || os === "Linux" || os === "ChromeOS") return "desktop";
  return "unknown";
}

export function parseUserAgent(userAgent: string | null | undefined): UserAgentInfo {
  const ua = (userAgent ?? "").slice(0, 512);
  if (isBot(userAgent)) return { bot: true, browser: "Bot", os: ua === "" ? "Other" : firstMatch(ua, SYSTEMS), device: "bot" };
  const os = firstMatch(ua, SYSTEMS);
  return { bot: false, browser: firstMatch(ua, BROWSERS), os, device: deviceOf(ua, os) };
}
