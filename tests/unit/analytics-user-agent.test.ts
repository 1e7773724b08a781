/** The hand-written User-Agent reader: bots are recognised, people are described by family. */
import { describe, expect, test } from "bun:test";
import { countryCode, referrerHost } from "../../src/analytics/click-dimensions";
import { isBot, parseUserAgent } from "../../src/analytics/user-agent";

const UA = {
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  edgeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
  firefoxLinux: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  safariMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  safariIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  chromeIpad: "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
  chromeAndroidPhone: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  chromeAndroidTablet: "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  samsungPhone: "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
  operaWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 OPR/109.0.0.0",
  chromebook: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  ie11: "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
  cubotPhone: "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
};

describe("people's browsers", () => {
  test.each([
    ["chromeWindows", "Chrome", "Windows", "desktop"],
    ["edgeWindows", "Edge", "Windows", "desktop"],
    ["firefoxLinux", "Firefox", "Linux", "desktop"],
    ["safariMac", "Safari", "macOS", "desktop"],
    ["safariIphone", "Safari", "iOS", "mobile"],
    ["chromeIpad", "Chrome", "iOS", "tablet"],
    ["chromeAndroidPhone", "Chrome", "Android", "mobile"],
    ["chromeAndroidTablet", "Chrome", "Android", "tablet"],
    ["samsungPhone", "Samsung Internet", "Android", "mobile"],
    ["operaWindows", "Opera", "Windows", "desktop"],
    ["chromebook", "Chrome", "ChromeOS", "desktop"],
    ["ie11", "Internet Explorer", "Windows", "desktop"],
    ["cubotPhone", "Chrome", "Android", "mobile"],
  ] as const)("%s is %s on %s, %s, and not a bot", (name, browser, os, device) => {
    expect(parseUserAgent(UA[name])).toEqual({ bot: false, browser, os, device });
  });

  test("an unknown but browser-like agent is a person with family Other", () => {
    expect(parseUserAgent("SomeNewBrowser/1.0")).toEqual({ bot: false, browser: "Other", os: "Other", device: "unknown" });
  });
});

describe("bots", () => {
  test.each([
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
    "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
    "okhttp/4.12.0",
    "Mozilla/5.0 (compatible; SomeNewCrawler/0.1)",
    "my-monitoring-spider",
  ])("%s is a bot", (ua) => {
    expect(isBot(ua)).toBe(true);
    expect(parseUserAgent(ua)).toMatchObject({ bot: true, browser: "Bot", device: "bot" });
  });

  test("a request without a User-Agent counts as a bot (every browser sends one)", () => {
    expect(isBot(null)).toBe(true);
    expect(isBot(undefined)).toBe(true);
    expect(isBot("   ")).toBe(true);
    expect(parseUserAgent(null)).toEqual({ bot: true, browser: "Bot", os: "Other", device: "bot" });
  });

  test("a phone brand containing 'bot' (Cubot) is not mistaken for one", () => {
    expect(isBot(UA.cubotPhone)).toBe(false);
  });
});

describe("dimension values", () => {
  test("referrers are reduced to a lower-case host without www.; absent is (direct)", () => {
    expect(referrerHost("https://WWW.News.YCombinator.com/item?id=1")).toBe("news.ycombinator.com");
    expect(referrerHost("android-app://com.slack/")).toBe("com.slack");
    expect(referrerHost(null)).toBe("(direct)");
    expect(referrerHost("")).toBe("(direct)");
    expect(referrerHost("not a url")).toBe("(unknown)");
    expect(referrerHost(`https://${"a".repeat(300)}.example/`).length).toBe(100);
  });

  test("countries are two upper-case characters; anything else is (unknown)", () => {
    expect(countryCode("de")).toBe("DE");
    expect(countryCode(" T1 ")).toBe("T1");
    expect(countryCode("Germany")).toBe("(unknown)");
    expect(countryCode(null)).toBe("(unknown)");
  });
});
