/**
 * Load only ever goes to this machine: every URL a bench sends requests to must name a loopback
 * address (127.0.0.0/8, ::1) or localhost literally. Anything else, a private range included, is
 * refused before a single request leaves.
 */
const LOOPBACK_HOSTS = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

export function assertLoopback(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`not a URL: '${raw}'`);
  }
  const ok =
    (url.protocol === "http:" || url.protocol === "https:") &&
    LOOPBACK_HOSTS.test(url.hostname) &&
    url.hostname.split(".").every((part) => !/^\d+$/.test(part) || Number(part) <= 255);
  if (!ok) throw new Error(`refusing to send load to '${url.hostname}': benches target 127.0.0.1, ::1 or localhost only`);
  return url;
}
