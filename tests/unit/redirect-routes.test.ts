/**
 * /:code through the app's own routes (what in-process requests and anything Bun's native route
 * does not match reach): GET and HEAD call the one redirect handler with the server as the peer,
 * so the rate-limit guard knows the client.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServedTestApp, type ServedTestApp } from "../support/embedded-app";

let app: ServedTestApp;
let code: string;

beforeAll(async () => {
  app = await startServedTestApp({ RATE_LIMIT_REDIRECT: "1/min", TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_CREATE: "off" });
  code = (await app.createLink({ url: "https://example.com/limited-by-client" })).json.code;
});
afterAll(async () => {
  await app.close();
});

const follow = (method: "GET" | "HEAD", client: string) => fetch(`${app.base}/${code}`, { method, redirect: "manual", headers: { "x-forwarded-for": client } });

describe("GET and HEAD /:code through the app's routes", () => {
  test.each(["GET", "HEAD"] as const)("%s spends the budget of the client the socket (through a trusted proxy) names", async (method) => {
    const first = method === "GET" ? "203.0.113.1" : "203.0.113.3";
    const second = method === "GET" ? "203.0.113.2" : "203.0.113.4";
    expect((await follow(method, first)).status).toBe(302);
    expect((await follow(method, first)).status).toBe(429);
    // Another client behind the same proxy has a budget of its own.
    expect((await follow(method, second)).status).toBe(302);
  });
});
