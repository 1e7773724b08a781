/**
 * The HTML answers of /:code for people in a browser: a link that is gone (410) and the password
 * interstitial. They are laid out like the dashboard's 404 page (frontend/404.html: the brand
 * header, a card with the status, one way on) over the same stylesheet, /assets/app.css, plus
 * /assets/page.css for the password form; the Content-Security-Policy allows no inline style.
 */
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The brand header of frontend/404.html and the dashboard. */
const BRAND_HEADER = `<header class="site-header"><div class="container site-header__inner"><a class="brand" href="/" aria-label="ringlink home">
<svg class="brand__mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" fill="currentColor"/>
<circle cx="16" cy="16" r="8.5" fill="none" stroke="#fff" stroke-width="3"/><circle cx="16" cy="7.5" r="3.2" fill="#a5f3fc" stroke="currentColor" stroke-width="1.5"/>
<circle cx="23.4" cy="20.25" r="3.2" fill="#fff" stroke="currentColor" stroke-width="1.5"/><circle cx="8.6" cy="20.25" r="3.2" fill="#fff" stroke="currentColor" stroke-width="1.5"/></svg>
<span class="brand__name">ringlink</span></a></div></header>`;

interface PageParts {
  title: string;
  /** the status badge above the heading (410, a lock) */
  badge: string;
  heading: string;
  /** trusted HTML: the caller escapes what it puts in */
  body: string;
  noindex?: boolean;
}

function page({ title, badge, heading, body, noindex }: PageParts): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">${noindex ? '<meta name="robots" content="noindex">' : ""}<title>${escapeHtml(title)} · ringlink</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"><link rel="stylesheet" href="/assets/page.css"></head>
<body>${BRAND_HEADER}<main id="main" class="container"><section class="card notfound" aria-labelledby="page-title">
<span class="notfound__code">${escapeHtml(badge)}</span><h1 id="page-title">${escapeHtml(heading)}</h1>${body}</section></main></body></html>`;
}

/** A link that no longer redirects (410), or the built-in 404 when the dashboard's page is missing. */
export function htmlPage(title: string, message: string, status = 410): string {
  return page({
    title,
    badge: String(status),
    heading: title,
    body: `<p>${escapeHtml(message)}</p><a class="btn btn--primary" href="/">Go to ringlink</a>`,
    noindex: true,
  });
}

export function acceptsHtml(request: Request): boolean {
  const accept = request.headers.get("accept");
  return accept?.includes("text/html") === true;
}

/**
 * The interstitial of a password-protected link. It posts back to the same short URL (with the
 * visitor's query string, so query forwarding still works after the password).
 */
export function passwordPage(code: string, search: string, error: string | null): string {
  const action = `/${encodeURIComponent(code)}${search}`;
  return page({
    title: "Password required",
    badge: "Password",
    heading: "This link is password protected",
    noindex: true,
    body: `<p>Enter the password to continue.</p>
${error ? `<p class="alert alert--error" role="alert">${escapeHtml(error)}</p>` : ""}<form method="post" action="${escapeHtml(action)}" class="unlock">
<input type="password" name="password" autocomplete="current-password" required autofocus aria-label="Password">
<button class="btn btn--primary" type="submit">Continue</button></form>`,
  });
}
