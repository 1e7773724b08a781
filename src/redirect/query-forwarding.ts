/**
 * Query forwarding: `/abc?ref=x` on a link to `https://t.example/p?a=1` redirects to
 * `https://t.example/p?a=1&ref=x`. Parameters are merged; where both name one, the visitor's values
 * replace the target's (a campaign link's `utm_source` can be overridden per placement).
 */
export function forwardQuery(target: string, search: string): string {
  const incoming = new URLSearchParams(search);
  if (incoming.size === 0) return target;
  const url = new URL(target);
  for (const key of new Set(incoming.keys())) {
    url.searchParams.delete(key);
    for (const value of incoming.getAll(key)) url.searchParams.append(key, value);
  }
  return url.href;
}
