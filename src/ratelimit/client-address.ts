/**
 * Which address a request counts against. X-Forwarded-For is believed only when the socket peer is
 * a trusted proxy (TRUSTED_PROXIES), and then the right-most address that is not itself a trusted
 * proxy wins: anything left of it was written by the client and can be forged.
 */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

function ipBytes(ip: string): Uint8Array | null {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...parts]);
  }
  if (!ip.includes(":")) return null;
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  if (ip.split("::").length > 2) return null;
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

export function parseCidr(raw: string): Cidr | null {
  const [addr, bits] = raw.trim().split("/") as [string, string | undefined];
  const bytes = ipBytes(addr);
  if (!bytes) return null;
  const isV4 = !addr.includes(":") || addr.toLowerCase().startsWith("::ffff:");
  const max = isV4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { bytes, prefix: isV4 ? prefix + 96 : prefix };
}

function inCidr(ip: Uint8Array, cidr: Cidr): boolean {
  let bits = cidr.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

export function isTrusted(ip: string, trusted: readonly Cidr[]): boolean {
  const bytes = ipBytes(ip);
  return bytes !== null && trusted.some((c) => inCidr(bytes, c));
}

export function clientAddress(peer: string | null, forwardedFor: string | null, trusted: readonly Cidr[]): string {
  const socket = peer ?? "unknown";
  if (forwardedFor === null || trusted.length === 0 || !isTrusted(socket, trusted)) return socket;
  const hops = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(hops[i]!, trusted)) return hops[i]!;
  }
  return hops[0] ?? socket;
}

/** Whether the socket peer of a request is a trusted proxy (so its forwarding headers are believed). */
export function isTrustedPeer(request: Request, peer: { requestIP(request: Request): { address: string } | null } | null, trusted: readonly Cidr[]): boolean {
  const address = peer?.requestIP(request)?.address;
  return address !== undefined && trusted.length > 0 && isTrusted(address, trusted);
}
