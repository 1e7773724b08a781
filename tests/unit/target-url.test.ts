import { describe, expect, test } from "bun:test";
import { InvalidInput } from "../../src/http";
import { normalizeTargetUrl } from "../../src/links";

const policy = { maxLength: 2048, blockPrivateTargets: true, ownHostname: "rl.example" };

function codeFor(raw: unknown, p = policy): string | null {
  try {
    normalizeTargetUrl(raw, p);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    return (error as InvalidInput).code;
  }
}

describe("target URL validation", () => {
  test("accepts ordinary http and https URLs and trims surrounding whitespace", () => {
    expect(normalizeTargetUrl("  https://example.com/a?b=1#c \n", policy).href).toBe("https://example.com/a?b=1#c");
    expect(normalizeTargetUrl("http://EXAMPLE.com", policy).href).toBe("http://example.com/");
  });

  test("normalises internationalised host names to punycode", () => {
    expect(normalizeTargetUrl("https://bücher.de/katalog", policy).hostname).toBe("xn--bcher-kva.de");
  });

  test.each([
    ["javascript:alert(1)", "unsupported_scheme"],
    ["data:text/html,hi", "unsupported_scheme"],
    ["file:///etc/passwd", "unsupported_scheme"],
    ["vbscript:msgbox", "unsupported_scheme"],
    ["ftp://example.com/x", "unsupported_scheme"],
    ["mailto:a@example.com", "unsupported_scheme"],
    ["example.com/no-scheme", "invalid_url"],
    ["https://", "invalid_url"],
    ["", "invalid_url"],
    ["   ", "invalid_url"],
    ["https://exa mple.com/", "invalid_url"],
    ["https://example.com/a\tb", "invalid_url"],
    ["https://user:pass@example.com/", "credentials_in_url"],
    ["https://user@example.com/", "credentials_in_url"],
    ["https://rl.example/abc", "self_link"],
    ["https://RL.example:8443/abc", "self_link"],
    ["http://localhost/", "private_target"],
    ["http://api.localhost/", "private_target"],
    ["http://127.0.0.1/", "private_target"],
    ["http://2130706433/", "private_target"],
    ["http://0x7f.1/", "private_target"],
    ["http://10.1.2.3/", "private_target"],
    ["http://172.16.0.1/", "private_target"],
    ["http://192.168.1.1/", "private_target"],
    ["http://169.254.169.254/latest/meta-data", "private_target"],
    ["http://0.0.0.0/", "private_target"],
    ["http://[::1]/", "private_target"],
    ["http://[::]/", "private_target"],
    ["http://[fd00::1]/", "private_target"],
    ["http://[fe80::1]/", "private_target"],
    ["http://[::ffff:127.0.0.1]/", "private_target"],
    ["http://intranet/", "private_target"],
    ["http://printer.local/", "private_target"],
  ])("refuses %s with %s", (raw, code) => {
    expect(codeFor(raw)).toBe(code);
  });

  test("refuses URLs longer than the configured limit", () => {
    expect(codeFor(`https://example.com/${"a".repeat(2048)}`)).toBe("url_too_long");
    expect(codeFor(`https://example.com/${"a".repeat(60)}`, { ...policy, maxLength: 50 })).toBe("url_too_long");
  });

  test("refuses non-strings", () => {
    expect(codeFor(42)).toBe("invalid_url");
    expect(codeFor(null)).toBe("invalid_url");
  });

  test("allows private targets when BLOCK_PRIVATE_TARGETS is off", () => {
    expect(codeFor("http://127.0.0.1:3000/", { ...policy, blockPrivateTargets: false })).toBeNull();
    expect(codeFor("http://intranet/wiki", { ...policy, blockPrivateTargets: false })).toBeNull();
  });

  test("public IP literals are fine", () => {
    expect(codeFor("http://93.184.216.34/")).toBeNull();
    expect(codeFor("http://[2606:4700::1111]/")).toBeNull();
  });
});
