/**
 * The link service publishes link.updated, link.disabled and link.deleted on the in-process bus;
 * the consumers that predate them (live stream, click aggregates, classifier) take only their own
 * topics, so the new events reach subscribers of those topics and nobody else.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { LinkEvent } from "../../src/events";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "admin-token-for-the-lifecycle-event-tests";
const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: ADMIN });
});
afterAll(() => app.close());

test("a change, a disable and a delete each publish their event, and the live stream and the aggregates ignore them", async () => {
  const seen: Array<[string, LinkEvent]> = [];
  for (const topic of ["link.created", "link.updated", "link.disabled", "link.deleted"] as const) {
    app.runtime.bus.subscribe(topic, (events) => {
      for (const e of events) seen.push([topic, e]);
    });
  }
  const created = await app.post("/api/v1/links", { url: "https://example.com/life", reuse: false }, admin);
  const { code } = (await created.json()) as { code: string };
  const patch = (body: unknown) => app.request(`/api/v1/links/${code}`, { method: "PATCH", headers: admin, body: JSON.stringify(body) });
  expect((await patch({ url: "https://example.com/life/2" })).status).toBe(200);
  expect((await patch({ disabled: true })).status).toBe(200);
  expect((await patch({ tags: ["x"] })).status).toBe(200); // already disabled: an update, no second disable
  expect((await app.request(`/api/v1/links/${code}`, { method: "DELETE", headers: admin })).status).toBe(204);
  await app.runtime.flushAnalytics();

  expect(seen.map(([t]) => t)).toEqual(["link.created", "link.updated", "link.updated", "link.disabled", "link.updated", "link.deleted"]);
  for (const [, e] of seen) expect(e).toMatchObject({ type: "write", status: "OK", short_code: code });
  expect(seen[1]![1].url).toBe("https://example.com/life/2");
  expect(seen[3]![1].disabled_reason).toBe("manual");
  expect(new Set(seen.map(([, e]) => e.event_id)).size).toBe(seen.length);
  // The live stream counts writes it was handed: the create only.
  expect(app.runtime.realtime.stats().eventsSeen).toBe(1);
  expect(app.runtime.bus.stats().handlerErrors).toBe(0);
});
