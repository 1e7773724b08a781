/**
 * Hosts built to be mistaken for another are judged by the host itself, whatever the path;
 * international names in one script are not suspicious for being international. Table-driven,
 * then end to end: a create is refused (422 unsafe_url) or accepted accordingly, with the
 * classifier on and off.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { deceptiveHost } from "../../src/classifier";
import { ASCII_PROTOTYPES, confusablePrototypes, foldedSkeleton, skeleton } from "../../src/classifier/confusables";
import { isHighlyRestrictive } from "../../src/classifier/scripts";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "host-spoofing-admin-token-0123456789abcdef";

/** What the API does before the check: the parser's normalised URL, plus the URL as typed. */
const verdict = (typed: string) => deceptiveHost(new URL(typed).href, typed);

const DECEPTIVE: Array<[string, RegExp]> = [
  ["https://аpple.com/x", /imitates apple/], // Cyrillic а
  ["https://аpple.com", /imitates apple/],
  ["https://gооgle.com/search?q=shoes", /imitates google/], // two Cyrillic о
  ["https://paypaI.com/myaccount/summary", /imitates paypal/], // capital I for l
  ["https://PAYPAI.COM/", /imitates paypal/],
  ["https://secure-paypaI.com/login", /imitates paypal/],
  ["https://paypaI.attacker.example/x", /imitates paypal/],
  ["https://pаypal.com/signin", /imitates paypal/],
  ["https://xn--pypal-4ve.com/signin", /imitates paypal/], // the same, already punycode
  ["https://g00gle.com/", /imitates google/],
  ["https://rnicrosoft.com/login", /imitates microsoft/], // rn for m
  ["https://arnazon.de/ap/signin", /imitates amazon/],
  ["https://faceb00k.com/", /imitates facebook/],
  ["https://faċebook.com/login.php", /imitates facebook/], // an accent does not make it another name
  ["https://netflíx.com/", /imitates netflix/],
  ["https://ｐａｙｐａＩ.com/", /imitates paypal/], // full-width, capital I
  ["https://user@paypaI.com:8443/x", /imitates paypal/],
  ["https://аррӏе.com/", /Cyrillic letters that look like the Latin/], // all Cyrillic
  ["https://рос.com/", /Cyrillic letters that look like the Latin 'poc'/],
  ["https://ѕсоре.net/", /Cyrillic letters that look like the Latin/],
  ["https://shop-аmazon-deals.com/", /imitates amazon/],
  ["https://bаnk-login.example/", /mixes scripts.*Latin and Cyrillic|mixes scripts.*Cyrillic and Latin/],
  ["https://sεcure.example/", /mixes scripts/], // Greek epsilon among Latin
  ["https://東京аpple.jp/", /mixes scripts/], // Han with Cyrillic
];

const LEGITIMATE = [
  "https://bücher.de/",
  "https://bücher.de/katalog",
  "https://münchen.de/",
  "https://www.münchen.de/rathaus",
  "https://例え.jp/",
  "https://例え.jp/パス?q=ü",
  "https://東京ディズニー.jp/", // Han + Katakana: Japanese
  "https://abc例え.jp/", // Latin + Han + Hiragana is allowed by UTS #39
  "https://한국.kr/",
  "https://пример.рф/",
  "https://рос.ru/", // Cyrillic under a Cyrillic country's domain
  "https://ελλάδα.gr/",
  "https://россия.com/", // Cyrillic, but not all of it looks Latin
  "https://paypal.com/myaccount/summary",
  "https://PAYPAL.com/",
  "https://www.paypal.co.uk/",
  "https://ＡＭＡＺＯＮ.com/", // full width maps to the real amazon.com
  "https://mail.google.com/",
  "https://apple.com.evil.example/", // a brand literally: the classifier's business, not a look-alike
  "https://stearns.com/", // contains the skeleton of "steam" (m -> rn) but is not it
  "https://github.com/oven-sh/bun",
  "https://example.com/",
  "https://93.184.216.34/",
  "https://[2606:4700::1111]/",
];

describe("deceptive hosts", () => {
  test.each(DECEPTIVE)("%s is deceptive", (url, reason) => {
    expect(verdict(url)).toMatch(reason);
  });

  test.each(LEGITIMATE)("%s is not", (url) => {
    expect(verdict(url)).toBeNull();
  });

  test("the path does not change the verdict", () => {
    for (const host of ["аpple.com", "gооgle.com", "paypaI.com", "bücher.de", "例え.jp"]) {
      const bare = verdict(`https://${host}/`);
      for (const path of ["x", "search?q=%E2%9C%93", "myaccount/summary", "a/b/c/d/e/f.html", "#frag"]) expect(verdict(`https://${host}/${path}`)).toBe(bare);
    }
  });

  test("skeletons follow UTS #39: NFD, prototypes, NFD; folded for host comparison", () => {
    expect(skeleton("аpple")).toBe("apple");
    expect(skeleton("paypaI")).toBe("paypal");
    expect(skeleton("m")).toBe("rn");
    expect(foldedSkeleton("g00gle")).toBe("google");
    expect(skeleton("bücher")).toBe("bücher".normalize("NFD"));
  });

  test("the ASCII shortcut is exactly the confusables table's ASCII entries", () => {
    const table = confusablePrototypes();
    expect(Object.keys(table).length).toBeGreaterThan(6_000);
    expect(Object.fromEntries(Object.entries(table).filter(([ch]) => ch.charCodeAt(0) < 0x80))).toEqual({ ...ASCII_PROTOTYPES });
  });

  test("restriction level: single script or Latin with Japanese, Chinese or Korean scripts", () => {
    expect(["apple", "bücher", "пример", "ελλάδα", "例え", "東京ディズニー", "ab例え", "abc한국", "a1-b2"].map(isHighlyRestrictive)).toEqual(
      Array(9).fill(true),
    );
    expect(["аpple", "gооgle", "paypaι", "σоn", "пaypal"].map(isHighlyRestrictive)).toEqual(Array(5).fill(false));
  });
});

describe("through the API", () => {
  let withModel: TestApp;
  let withoutModel: TestApp;
  beforeAll(async () => {
    withModel = await startTestApp({ CLASSIFY_LINKS: "false", ADMIN_TOKEN: ADMIN });
    withoutModel = await startTestApp({ UNSAFE_URL_THRESHOLD: "off", CLASSIFY_LINKS: "false" });
  });
  afterAll(async () => {
    await withModel.close();
    await withoutModel.close();
  });

  // (user@ URLs are refused earlier, as credentials_in_url; IP literals are the classifier's to judge)
  test.each(DECEPTIVE.map(([url]) => url).filter((u) => !u.includes("@")))(
    "creating %s is refused with 422 unsafe_url, with or without the classifier",
    async (url) => {
      for (const app of [withModel, withoutModel]) {
        const { status, json } = await app.createLink({ url });
        expect({ status, code: json.error?.code }).toEqual({ status: 422, code: "unsafe_url" });
        expect(json.error.message).toContain("its host");
      }
    },
  );

  test.each(LEGITIMATE.filter((u) => !/\/\/[\d[]/.test(u)))("creating %s is accepted", async (url) => {
    const { status, json } = await withModel.createLink({ url });
    expect({ url, status, error: json.error }).toEqual({ url, status: 201, error: undefined });
  });

  test("changing a link's target to a deceptive host is refused too", async () => {
    const { json } = await withModel.createLink({ url: "https://example.com/update-me" });
    const res = await withModel.request(`/api/v1/links/${json.code}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ url: "https://paypaI.com/myaccount/summary" }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsafe_url");
  });
});
