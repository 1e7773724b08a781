/**
 * The one rule for why a link does not redirect (src/links/link-state.ts): its order, and that
 * the API, GET /:code and POST /:code answer alike for a link in two states at once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GONE, linkState } from "../../src/links";
import type { LinkFacts } from "../../src/links/link-state";
import { startTestApp, type TestApp } from "../support/embedded-app";

const NOW = 1_900_000_000_000;
const plain: LinkFacts = { deleted: false, disabled: null, expiresAt: null };

describe("link state rule", () => {
  test("an ordinary link is active, and an unexpired one too", () => {
    expect(linkState(plain, NOW)).toBe("active");
    expect(linkState({ ...plain, expiresAt: NOW + 1 }, NOW)).toBe("active");
  });

  test("deleted, then disabled (manual or unsafe, blocklist included), then expired, then used up: the first that applies wins", () => {
    const everything: LinkFacts = { deleted: true, disabled: "manual", blocked: true, expiresAt: NOW, usedUp: true };
    expect(linkState(everything, NOW)).toBe("deleted");
    expect(linkState({ ...everything, deleted: false }, NOW)).toBe("disabled");
    expect(linkState({ ...everything, deleted: false, disabled: "unsafe" }, NOW)).toBe("unsafe");
    expect(linkState({ ...everything, deleted: false, disabled: null }, NOW)).toBe("unsafe");
    expect(linkState({ ...everything, deleted: false, disabled: null, blocked: false }, NOW)).toBe("expired");
    expect(linkState({ ...everything, deleted: false, disabled: null, blocked: false, expiresAt: null }, NOW)).toBe("click_limit_reached");
  });

  test("every state that does not redirect has its 410 error code; unsafe answers unsafe_url", () => {
    expect(Object.fromEntries(Object.entries(GONE).map(([state, g]) => [state, g.code]))).toEqual({
      deleted: "deleted",
      disabled: "disabled",
      unsafe: "unsafe_url",
      expired: "expired",
      click_limit_reached: "click_limit_reached",
    });
  });
});

describe("a link both disabled and expired", () => {
  const ADMIN = "link-state-admin-token-0123456789abcdef";
  let app: TestApp;
  let code: string;
  let password: string;

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_TOKEN: ADMIN });
    const admin = { authorization: `Bearer ${ADMIN}` };
    const soon = () => new Date(Date.now() + 150).toISOString();
    const create = async (body: Record<string, unknown>): Promise<string> => ((await (await app.post("/api/v1/links", body, admin)).json()) as any).code;
    code = await create({ url: "https://example.com/disabled-and-expired", expiresAt: soon() });
    password = await create({ url: "https://example.com/locked", expiresAt: soon(), password: "s3cret!" });
    await Bun.sleep(200);
    for (const c of [code, password]) {
      const res = await app.request(`/api/v1/links/${c}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", ...admin },
        body: '{"disabled":true}',
      });
      expect(res.status).toBe(200);
    }
  });
  afterAll(() => app.close());

  test("the API says disabled", async () => {
    const view: any = await (await app.request(`/api/v1/links/${code}`)).json();
    expect(view.status).toBe("disabled");
  });

  test("GET and HEAD /:code answer 410 disabled", async () => {
    const get = await app.request(`/${code}`);
    expect(get.status).toBe(410);
    expect(((await get.json()) as any).error.code).toBe("disabled");
    expect((await app.request(`/${code}`, { method: "HEAD" })).status).toBe(410);
  });

  test("POST /:code of a password link answers 410 disabled", async () => {
    const res = await app.post(`/${password}`, { password: "s3cret!" });
    expect(res.status).toBe(410);
    expect(((await res.json()) as any).error.code).toBe("disabled");
  });
});
