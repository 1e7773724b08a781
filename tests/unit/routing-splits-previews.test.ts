/**
 * A/B splits and crawler previews in embedded mode, through a loopback server so the visitor's
 * address (X-Forwarded-For behind a trusted 127.0.0.1) feeds the split like a real request's.
 * Plus the carriers of both: the Redis entry and the Kafka record keep them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { decodeEntry, encodeLink } from "../../src/cache/redis/cached-link-codec";
import { decodeRecord, type LinkEvent } from "../../src/events";
import { encodeRecord } from "../../src/events/event-records";
import { toCachedLink } from "../../src/links";
import { PREVIEW_CRAWLER_FAMILIES, previewCrawlerFamily } from "../../src/routing";
import { startServedTestApp, type ServedTestApp } from "../support/embedded-app";

let app: ServedTestApp;
let base: string;

beforeAll(async () => {
  app = await startServedTestApp({ TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_CREATE: "off" });
  base = app.base;
});
afterAll(async () => {
  await app.close();
});

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const A = "https://example.com/variant-a";
const B = "https://example.com/variant-b";
const C = "https://example.com/variant-c";

/** Visitor n: an address of the documentation range 2001:db8::/32 (a header value, never a destination). */
const visitorIp = (n: number) => `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`;

async function visit(code: string, n: number, ua = CHROME): Promise<Response> {
  return fetch(`${base}/${code}`, { redirect: "manual", headers: { "user-agent": ua, "x-forwarded-for": visitorIp(n) } });
}

async function locationsOf(code: string, visitors: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const BATCH = 200;
  for (let i = 0; i < visitors; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, visitors - i) }, (_, j) => visit(code, i + j)));
    for (const res of batch) {
      const loc = res.headers.get("location") ?? `status ${res.status}`;
      counts.set(loc, (counts.get(loc) ?? 0) + 1);
    }
  }
  return counts;
}

describe("A/B split", () => {
  test("a visitor gets the same variant on every visit of the day", async () => {
    const { json } = await app.createLink({
      url: "https://example.com/own",
      variants: [
        { url: A, weight: 50 },
        { url: B, weight: 50 },
      ],
    });
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const first = (await visit(json.code, n)).headers.get("location");
      expect([A, B]).toContain(first ?? "none");
      for (let k = 0; k < 5; k++) expect((await visit(json.code, n)).headers.get("location")).toBe(first);
    }
  });

  test("over 10,000 visitors each variant's share is within 2 points of its weight", async () => {
    const { json, status } = await app.createLink({
      url: "https://example.com/own",
      variants: [
        { url: A, weight: 50, name: "control" },
        { url: B, weight: 30, name: "blue" },
        { url: C, weight: 20, name: "green" },
      ],
    });
    expect(status).toBe(201);
    expect(json.variants.map((v: { name: string }) => v.name)).toEqual(["control", "blue", "green"]);
    const counts = await locationsOf(json.code, 10_000);
    expect([...counts.keys()].sort()).toEqual([A, B, C].sort());
    expect(Math.abs(counts.get(A)! / 100 - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.get(B)! / 100 - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.get(C)! / 100 - 20)).toBeLessThanOrEqual(2);
  }, 60_000);

  test("per-variant clicks appear in the link's stats", async () => {
    const { json } = await app.createLink({
      url: "https://example.com/own",
      variants: [
        { url: A, weight: 60 },
        { url: B, weight: 40 },
      ],
    });
    const counts = await locationsOf(json.code, 300);
    await app.runtime.flushAnalytics();
    let body: any;
    const deadline = Date.now() + 5_000;
    do {
      body = await (await app.request(`/api/v1/links/${json.code}/stats?interval=day`)).json();
      if (body.totals?.clicks >= 300) break;
      await Bun.sleep(25);
    } while (Date.now() < deadline);
    const byName = Object.fromEntries(body.top.variants.map((e: { value: string; clicks: number }) => [e.value, e.clicks]));
    expect(byName).toEqual({ a: counts.get(A)!, b: counts.get(B)! });
  }, 30_000);

  test("a matching rule comes before the split", async () => {
    const { json } = await app.createLink({
      url: "https://example.com/own",
      rules: [{ conditions: [{ type: "query", param: "vip", op: "present" }], url: "https://example.com/vip" }],
      variants: [
        { url: A, weight: 50 },
        { url: B, weight: 50 },
      ],
    });
    const res = await fetch(`${base}/${json.code}?vip=1`, { redirect: "manual", headers: { "user-agent": CHROME } });
    expect(res.headers.get("location")).toBe("https://example.com/vip");
  });

  test.each([
    [
      "weights not summing to 100",
      [
        { url: A, weight: 50 },
        { url: B, weight: 40 },
      ],
      "invalid_weights",
    ],
    [
      "a weight that is not a whole percent",
      [
        { url: A, weight: 50.5 },
        { url: B, weight: 49.5 },
      ],
      "invalid_weights",
    ],
    ["a single variant", [{ url: A, weight: 100 }], "invalid_variants"],
    [
      "a name used twice",
      [
        { url: A, weight: 50, name: "x" },
        { url: B, weight: 50, name: "x" },
      ],
      "invalid_variants",
    ],
    [
      "a bad variant URL",
      [
        { url: "ftp://example.com/a", weight: 50 },
        { url: B, weight: 50 },
      ],
      "unsupported_scheme",
    ],
  ])("%s answers 400", async (_name, variants, code) => {
    const res = await app.createLink({ url: "https://example.com/own", variants });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(code);
  });
});

/** One user agent per crawler family the preview list names. */
const CRAWLERS: Record<string, string> = {
  slack: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  discord: "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
  twitter: "Twitterbot/1.0",
  facebook: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  linkedin: "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
  telegram: "TelegramBot (like TwitterBot)",
  whatsapp: "WhatsApp/2.23.20.0 A",
  apple: "Mozilla/5.0 (compatible; Applebot/0.1; +http://www.apple.com/go/applebot)",
  microsoft: "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
  pinterest: "Pinterest/0.2 (+http://www.pinterest.com/bot.html)",
  reddit: "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
  mastodon: "Mastodon/4.2.0 (http.rb/5.1.1; +https://mastodon.social/) Bot",
  bluesky: "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
  vk: "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
  embedly: "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
};
// iMessage fetches previews as a Facebook/Twitter look-alike.
const IMESSAGE =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0";

describe("previews for crawlers", () => {
  const preview = { title: `Spring <sale> & "more"`, description: "Up to 50% off, it's 'real'", image: "https://cdn.example.com/card.png?x=1&y=2" };
  let code: string;
  beforeAll(async () => {
    const res = await app.createLink({ url: "https://example.com/sale", preview });
    expect(res.status).toBe(201);
    code = res.json.code;
  });

  test("every family of the preview list is tested here", () => {
    expect(Object.keys(CRAWLERS).sort()).toEqual(PREVIEW_CRAWLER_FAMILIES.map(([f]) => f).sort());
  });

  test.each(Object.entries(CRAWLERS))("%s gets the Open Graph page", async (family, ua) => {
    expect(previewCrawlerFamily(ua)).toBe(family);
    const res = await visit(code, 1, ua);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("x-robots-tag")).toContain("noindex");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain('<meta property="og:title" content="Spring &lt;sale&gt; &amp; &quot;more&quot;">');
    expect(html).toContain('<meta property="og:description" content="Up to 50% off, it&#39;s &#39;real&#39;">');
    expect(html).toContain('<meta property="og:image" content="https://cdn.example.com/card.png?x=1&amp;y=2">');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).not.toContain("<sale>");
    expect(html).not.toContain("https://example.com/sale");
  });

  test("iMessage's look-alike user agent gets the page", async () => {
    expect((await visit(code, 1, IMESSAGE)).status).toBe(200);
  });

  test("people, search engines and scripts are redirected as usual", async () => {
    for (const ua of [CHROME, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0"]) {
      const res = await visit(code, 1, ua);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("https://example.com/sale");
    }
  });

  test("a link without preview metadata redirects crawlers too", async () => {
    const { json } = await app.createLink({ url: "https://example.com/plain-for-crawlers", reuse: false });
    expect((await visit(json.code, 1, CRAWLERS.slack!)).status).toBe(302);
  });

  test("crawler visits count as bot clicks", async () => {
    const { json } = await app.createLink({ url: "https://example.com/counted", preview: { title: "Counted" } });
    for (const ua of Object.values(CRAWLERS)) expect((await visit(json.code, 1, ua)).status).toBe(200);
    await visit(json.code, 2, CHROME);
    await app.runtime.flushAnalytics();
    let body: any;
    const deadline = Date.now() + 5_000;
    do {
      body = await (await app.request(`/api/v1/links/${json.code}/stats?interval=day`)).json();
      if (body.totals?.clicks >= 16) break;
      await Bun.sleep(25);
    } while (Date.now() < deadline);
    expect(body.totals.bot).toBe(Object.keys(CRAWLERS).length);
    expect(body.totals.human).toBe(1);
  });

  test("a password-protected link shows crawlers its preview and people the password form", async () => {
    const { json } = await app.createLink({ url: "https://example.com/secret", password: "open-sesame", preview: { title: "Members only" } });
    const crawler = await visit(json.code, 1, CRAWLERS.discord!);
    expect(crawler.status).toBe(200);
    const html = await crawler.text();
    expect(html).toContain("Members only");
    expect(html).not.toContain("example.com/secret");
    const person = await visit(json.code, 1, CHROME);
    expect(person.status).toBe(200);
    expect(await person.text()).toContain('type="password"');
  });

  test("after the password, the rules choose the target as they would without one", async () => {
    const { json } = await app.createLink({
      url: "https://example.com/locked",
      password: "open-sesame",
      rules: [{ conditions: [{ type: "country", anyOf: ["JP"] }], url: "https://example.com/locked-jp" }],
    });
    const unlock = (country: string) =>
      fetch(`${base}/${json.code}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/json", "user-agent": CHROME, "cf-ipcountry": country },
        body: JSON.stringify({ password: "open-sesame" }),
      });
    const jp = await unlock("JP");
    expect(jp.status).toBe(303);
    expect(jp.headers.get("location")).toBe("https://example.com/locked-jp");
    expect((await unlock("FR")).headers.get("location")).toBe("https://example.com/locked");
  });

  test.each([
    ["no title", { description: "x" }],
    ["a title too long", { title: "x".repeat(201) }],
    ["an image that is not http(s)", { title: "x", image: "javascript:alert(1)" }],
    ["an unknown field", { title: "x", video: "https://example.com/v.mp4" }],
  ])("%s answers 400", async (_name, bad) => {
    const res = await app.createLink({ url: "https://example.com/own", preview: bad });
    expect(res.status).toBe(400);
  });
});

describe("what carries routing between processes", () => {
  test("the Redis entry keeps rules, split and preview, compiled again on read", async () => {
    const { json } = await app.createLink({
      url: "https://example.com/carried",
      rules: [{ conditions: [{ type: "ip", anyOf: ["192.0.2.0/24"] }], url: "https://example.com/r" }],
      variants: [
        { url: A, weight: 10 },
        { url: B, weight: 90 },
      ],
      preview: { title: "Carried" },
    });
    const record = await app.runtime.store.findByCode(json.code);
    const entry = toCachedLink(record!);
    const decoded = decodeEntry(json.code, encodeLink(entry));
    expect(decoded).not.toBeNull();
    if (decoded === null || typeof decoded === "symbol") throw new Error("expected a link");
    expect(decoded.routing?.source).toEqual(entry.routing!.source);
    expect(decoded.routing?.previewHtml).toContain("Carried");
    // An ordinary link's entry has no routing, and its stored form no key for it.
    const plain = toCachedLink({ ...record!, rules: null, variants: null, preview: null });
    expect(plain.routing).toBeUndefined();
    expect(encodeLink(plain)).not.toContain('"r"');
  });

  test("a Kafka record keeps the variant, and rows of older producers decode without one", () => {
    const event: LinkEvent = {
      event_id: "e1",
      type: "read",
      status: "OK",
      node: "n",
      redis: null,
      db: null,
      short_code: "abc",
      latency_ms: 0.5,
      ts: 1_700_000_000_000,
      variant: "blue",
    };
    expect(decodeRecord(encodeRecord([event])).events[0]?.variant).toBe("blue");
    const record = JSON.parse(encodeRecord([{ ...event, variant: null }])) as { e: unknown[][] };
    record.e[0]!.pop();
    const older = decodeRecord(JSON.stringify(record));
    expect(older.malformed).toBe(0);
    expect(older.events[0]?.variant).toBeUndefined();
  });
});
