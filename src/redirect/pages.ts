/**
 * Small HTML answers for people who follow a dead short link in a browser. Their style is a file
 * (/assets/page.css): the pages' Content-Security-Policy allows no inline style.
 */
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function htmlPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ringlink</title><link rel="icon" href="/assets/favicon.svg"><link rel="stylesheet" href="/assets/page.css"></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Shorten a link with ringlink</a></p></main></body></html>`;
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
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Password required · ringlink</title><link rel="icon" href="/assets/favicon.svg">
<link rel="stylesheet" href="/assets/page.css"></head>
<body><main class="narrow"><h1>This link is password protected</h1><p>Enter the password to continue.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}<form method="post" action="${escapeHtml(action)}">
<input type="password" name="password" autocomplete="current-password" required autofocus aria-label="Password">
<button type="submit">Continue</button></form></main></body></html>`;
}
