// The dashboard's credentials: an API key or admin token held in memory for the life of the page,
// never written to localStorage, sessionStorage or a cookie (any script on the origin could read
// those back, and they outlive the tab). Nothing sets one yet: the dashboard works without
// credentials on a server that has none; a sign-in form is the next step.

let token = null;

/** Uses `value` for this page's API calls and live stream (null forgets it). */
export function useToken(value) {
  token = typeof value === "string" && value !== "" ? value : null;
}

export function currentToken() {
  return token;
}
