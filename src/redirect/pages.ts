/** Small self-contained HTML answers for people who follow a dead short link in a browser. */
const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function htmlPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)} · ringlink</title><link rel="icon" href="/assets/favicon.svg">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#f6f7fb;color:#1d2433}
main{max-width:32rem;padding:2rem;text-align:center}h1{font-size:1.5rem;margin:0 0 .5rem}a{color:#4f46e5}
@media (prefers-color-scheme:dark){body{background:#0f1320;color:#e6e9f2}a{color:#a5b4fc}}</style></head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p><p><a href="/">Shorten a link with ringlink</a></p></main></body></html>`;
}

export function acceptsHtml(request: Request): boolean {
  const accept = request.headers.get("accept");
  return accept !== null && accept.includes("text/html");
}

/**
 * The interstitial of a password-protected link. It posts back to the same short URL (with the
 * visitor's query string, so query forwarding still works after the password).
 */
export function passwordPage(code: string, search: string, error: string | null): string {
  const action = `/${encodeURIComponent(code)}${search}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Password required · ringlink</title><link rel="icon" href="/assets/favicon.svg">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#f6f7fb;color:#1d2433}
main{max-width:24rem;padding:2rem;text-align:center}h1{font-size:1.5rem;margin:0 0 .5rem}input,button{font:inherit;padding:.5rem .75rem;border-radius:.4rem;border:1px solid #c7cbd6}
button{background:#4f46e5;color:#fff;border-color:#4f46e5;cursor:pointer}.error{color:#b42318}
@media (prefers-color-scheme:dark){body{background:#0f1320;color:#e6e9f2}}</style></head>
<body><main><h1>This link is password protected</h1><p>Enter the password to continue.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ""}<form method="post" action="${escape(action)}">
<input type="password" name="password" autocomplete="current-password" required autofocus aria-label="Password">
<button type="submit">Continue</button></form></main></body></html>`;
}
