import { describe, expect, test } from "bun:test";
import { InvalidInput } from "../../src/errors";
import { LOOPBACK_DOMAINS, normalizeTargetUrl } from "../../src/links/target-url";

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

  // IPv6 forms that carry an IPv4 address are judged by the address inside.
  test.each([
    ["http://[::127.0.0.1]/", "IPv4-compatible loopback"],
    ["http://[::7f00:1]/", "IPv4-compatible loopback, hex"],
    ["http://[::10.0.0.1]/", "IPv4-compatible private"],
    ["http://[::8.8.8.8]/", "IPv4-compatible (deprecated, never routed)"],
    ["http://[::ffff:7f00:1]/", "IPv4-mapped loopback, hex"],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "IPv4-mapped metadata address, long form"],
    ["http://[::ffff:0:7f00:1]/", "IPv4-translated loopback"],
    ["http://[::ffff:0:192.168.0.1]/", "IPv4-translated private"],
    ["http://[64:ff9b::7f00:1]/", "NAT64 loopback"],
    ["http://[64:ff9b::10.1.2.3]/", "NAT64 private"],
    ["http://[64:ff9b:1::a00:1]/", "local-use NAT64"],
    ["http://[2002:7f00:1::]/", "6to4 loopback"],
    ["http://[2002:c0a8:101::1]/", "6to4 private"],
    ["http://[2002:a9fe:a9fe::]/", "6to4 metadata address"],
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"],
    ["http://[fec0::1]/", "site-local"],
    ["http://[100::1]/", "discard-only"],
    ["http://[ff02::1]/", "multicast"],
  ])("refuses %s (%s)", (raw) => {
    expect(codeFor(raw)).toBe("private_target");
  });

  test.each([
    ["http://[64:ff9b::5db8:d822]/", "NAT64 of a public address"],
    ["http://[2002:5db8:d822::1]/", "6to4 of a public address"],
    ["http://[::ffff:5db8:d822]/", "IPv4-mapped public address"],
  ])("allows %s (%s)", (raw) => {
    expect(codeFor(raw)).toBeNull();
  });

  test.each([
    "http://127.0.0.1.nip.io/",
    "http://app.10.0.0.1.nip.io/admin",
    "http://nip.io/",
    "http://ip-127-0-0-1.sslip.io/",
    "http://7f000001.sslip.io/",
    "https://localtest.me/",
    "https://api.localtest.me/x",
    "http://lvh.me:3000/",
    "http://sub.lvh.me/",
    "http://www.vcap.me/",
    "http://lacolhost.com/",
    "http://fuf.me/",
    "http://x.localho.st/",
    "http://whoami.traefik.me/",
    "http://a.local.gd/",
    "http://127.0.0.1.xip.io/",
    "http://LOCALTEST.ME./",
    "http://router.home.arpa/",
    "http://localhost.localdomain/",
    "http://db.localhost/",
  ])("refuses %s, a name that resolves to this machine or its network by design", (raw) => {
    expect(codeFor(raw)).toBe("private_target");
  });

  test("every name on the loopback-name list, and its subdomains, is refused while BLOCK_PRIVATE_TARGETS is on", () => {
    for (const domain of LOOPBACK_DOMAINS) {
      expect(codeFor(`https://${domain}/`)).toBe("private_target");
      expect(codeFor(`https://x.${domain}/`)).toBe("private_target");
      expect(codeFor(`https://x.${domain}/`, { ...policy, blockPrivateTargets: false })).toBeNull();
    }
    // Look-alike names outside the list are ordinary domains.
    expect(codeFor("https://notnip.io/")).toBeNull();
    expect(codeFor("https://lvh.me.example.com/")).toBeNull();
  });
});
