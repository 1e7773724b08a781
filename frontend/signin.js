// Signing in and out. When the server needs a key and this page has no session, the sign-in card
// takes the place of the tabs; the header shows who is signed in, with which scopes, and a way
// out. A session the server ends (key revoked, expiry) brings the card back with the reason.

import { currentSession, onSessionChange, signIn, signOut } from "./credentials.js";
import { $, el } from "./dom.js";

export function createSignIn({ signedIn }) {
  const gate = $("signin");
  const form = $("signin-form");
  const input = $("signin-token");
  const error = $("signin-error");
  const ended = $("signin-ended");
  const submit = $("signin-submit");
  const account = $("account");

  function render(session) {
    const gated = session.signInRequired && !session.signedIn;
    document.body.classList.toggle("is-gated", gated);
    gate.hidden = !gated;
    ended.hidden = !(gated && session.ended);
    ended.textContent = session.ended ? `You were signed out: ${session.ended}` : "";
    account.hidden = !session.signedIn;
    if (session.signedIn) {
      $("account-name").textContent = session.admin ? "admin token" : (session.key?.name ?? "API key");
      $("account-name").title = session.admin ? "ADMIN_TOKEN: every scope, every link" : `API key ${session.key?.id ?? ""}`;
      $("account-scopes").replaceChildren(...session.scopes.map((s) => el("span", { class: "scope", text: s })));
    }
    if (gated) setTimeout(() => input.focus(), 0);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    submit.disabled = true;
    submit.querySelector(".swap").dataset.state = "busy";
    try {
      await signIn(token);
      input.value = "";
      signedIn();
    } catch (err) {
      error.textContent =
        err.status === 403
          ? "That is not a valid API key or admin token (it may have been revoked or have expired)."
          : err.status === 429
            ? "Too many failed attempts from this address. Wait a minute and try again."
            : err.message;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.select();
    } finally {
      submit.disabled = false;
      submit.querySelector(".swap").dataset.state = "idle";
    }
  });

  $("signout-btn").addEventListener("click", async () => {
    await signOut();
    // A clean page: nothing the session showed stays on screen.
    location.reload();
  });

  onSessionChange(render);
  render(currentSession());
}
