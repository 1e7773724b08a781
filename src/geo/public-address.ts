/**
 * Which client addresses are worth a country lookup: public unicast only. The bundled data maps
 * some private ranges to a country (192.168.0.0/16 and 172.16.0.0/12 read as "AU" in the
 * 2026-06 build), so private, loopback, link-local, CGNAT, multicast and documentation addresses
 * are refused here, before the database is asked.
 */

/** The address to look up (an IPv4-mapped IPv6 address as its IPv4 form), or null when it is not public. */
export function publicAddress(ip: string): string | null {
  if (ip.includes(":")) {
    const lower = ip.toLowerCase();
    // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d.
    if (lower.startsWith("::ffff:") && lower.includes(".")) return publicIpv4(lower.slice(7));
    return publicIpv6(lower);
  }
  return publicIpv4(ip);
}

function publicIpv4(ip: string): string | null {
  const dot1 = ip.indexOf(".");
  const dot2 = ip.indexOf(".", dot1 + 1);
  if (dot1 <= 0 || dot2 <= dot1 + 1) return null;
  const a = Number(ip.slice(0, dot1));
  const b = Number(ip.slice(dot1 + 1, dot2));
  if (!(a >= 1 && a <= 223) || !(b >= 0 && b <= 255)) return null; // 0/8, multicast, reserved, garbage
  if (a === 10 || a === 127) return null;
  if (a === 100 && b >= 64 && b <= 127) return null; // carrier-grade NAT
  if (a === 169 && b === 254) return null;
  if (a === 172 && b >= 16 && b <= 31) return null;
  if (a === 192 && (b === 168 || ip.startsWith("192.0.0.") || ip.startsWith("192.0.2."))) return null;
  if (a === 198 && (b === 18 || b === 19 || ip.startsWith("198.51.100."))) return null; // benchmarking, documentation
  if (a === 203 && ip.startsWith("203.0.113.")) return null;
  return ip;
}

function publicIpv6(ip: string): string | null {
  // Global unicast is 2000::/3; everything else (::1, ::, fc00::/7, fe80::/10, ff00::/8) is not public.
  const first = ip.charCodeAt(0);
  if (first !== 50 /* 2 */ && first !== 51 /* 3 */) return null;
  if (ip.startsWith("2001:db8:") || ip.startsWith("3fff:")) return null; // documentation
  // A first group of four digits starting 2 or 3 (a shorter "2:" is 0002, not global).
  return ip.indexOf(":") === 4 ? ip : null;
}
