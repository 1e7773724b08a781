/**
 * The page link-preview crawlers get for a link with preview metadata: Open Graph and Twitter card
 * tags, the same text visible in the body, and noindex. Everything the link's owner wrote is
 * escaped; the page has no script, no style and no outside resource of its own (the image is only
 * named in a meta tag for the crawler to fetch), so it lives under the strict CSP of every page.
 */
import type { LinkPreview } from "./routing-types";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const meta = (attr: "property" | "name", key: string, value: string): string => `<meta ${attr}="${key}" content="${escapeHtml(value)}">`;

export function renderPreviewPage(preview: LinkPreview): string {
  const tags = [
    '<meta name="robots" content="noindex, nofollow">',
    meta("property", "og:type", "website"),
    meta("property", "og:title", preview.title),
    meta("name", "twitter:card", preview.image === null ? "summary" : "summary_large_image"),
    meta("name", "twitter:title", preview.title),
  ];
  if (preview.description !== null) {
    tags.push(meta("property", "og:description", preview.description), meta("name", "twitter:description", preview.description));
    tags.push(meta("name", "description", preview.description));
  }
  if (preview.image !== null) tags.push(meta("property", "og:image", preview.image), meta("name", "twitter:image", preview.image));
  const description = preview.description === null ? "" : `<p>${escapeHtml(preview.description)}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(preview.title)}</title>
${tags.join("\n")}
</head><body><h1>${escapeHtml(preview.title)}</h1>${description}</body></html>`;
}
