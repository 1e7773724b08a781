/** What a click event keeps of the visitor's headers: reduced to what analytics uses, and bounded. */
import { describe, expect, test } from "bun:test";
import { boundedUserAgent, countryOf, referrerOrigin } from "../../src/events";
import { MAX_USER_AGENT } from "../../src/events/click-fields";

describe("referrerOrigin", () => {
  test("keeps scheme and host: no path, query, fragment or credentials", () => {
    expect(referrerOrigin("https://News.Example/item?id=1&session=abc#top")).toBe("https://news.example");
    expect(referrerOrigin("http://user:secret@example.com:8080/login?next=/admin")).toBe("http://example.com:8080");
    expect(referrerOrigin("https://example.com:443/")).toBe("https://example.com");
    expect(referrerOrigin("android-app://com.slack/")).toBe("android-app://com.slack");
  });

  test("absent, unreadable or hostless referrers are none", () => {
    for (const raw of [null, "", "not a url", "about:blank", "data:text/html,hi", "/relative/path"]) expect(referrerOrigin(raw)).toBeNull();
  });

  test("a very long referrer is reduced the same way, and an overlong host is dropped", () => {
    expect(referrerOrigin(`https://example.com/${"x".repeat(10_000)}`)).toBe("https://example.com");
    expect(referrerOrigin(`https://${Array.from({ length: 6 }, (_, i) => String(i).repeat(63)).join(".")}.example/`)).toBeNull();
  });

  test("answers the same when asked again (remembered)", () => {
    const raw = "https://again.example/page?q=1";
    expect(referrerOrigin(raw)).toBe(referrerOrigin(raw));
  });
});

describe("countryOf", () => {
  test("two ASCII letters, upper-cased", () => {
    expect(countryOf("de")).toBe("DE");
    expect(countryOf("US")).toBe("US");
  });

  test("anything else is dropped", () => {
    for (const raw of [null, "", "D", "DEU", "D1", "T1", " de", "é1", "ДЕ", "X".repeat(8_000)]) expect(countryOf(raw)).toBeNull();
  });
});

describe("boundedUserAgent", () => {
  test("cuts past the bound and keeps shorter agents whole", () => {
    expect(boundedUserAgent("curl/8.0")).toBe("curl/8.0");
    expect(boundedUserAgent("M".repeat(5_000))!.length).toBe(MAX_USER_AGENT);
    expect(boundedUserAgent(null)).toBeNull();
  });
});
