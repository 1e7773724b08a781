/**
 * The route that answers is chosen by the requested path, whatever the Host header: in-process
 * through the app, and over raw TCP against a real server (where Bun builds request.url from the
 * Host header, or leaves it a bare path when the Host is missing or malformed).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { connect } from "node:net";
import { buildApp } from "../../src/app";
import { ensureRoutableUrl } from "../../src/http";
import { startHttpServer } from "../../src/server/http-server";
import { startTestApp, type TestApp } from "../support/embedded-app";

let t: TestApp;
let server: Server<unknown>;
let code: string;

beforeAll(async () => {
  t = await startTestApp();
  server = startHttpServer(buildApp(t.runtime), t.runtime, { port: 0, hostname: "127.0.0.1", reusePort: false });
  code = (await t.createLink({ url: "https://example.com/routing" })).json.code;
});
afterAll(async () => {
  server.stop(true);
  await t.close();
});

/** One raw HTTP/1.1 exchange on a new loopback connection: the status code and the body. */
function rawRequest(head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port!, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${JSON.stringify(head)}`)), 5_000);
    socket.on("data", (chunk) => (data += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

describe("routing on the requested path, whatever the Host", () => {
  test.each(["a", "ab", "abc", "a:1", "ab:80", ""])("Host %p: GET /xx/metrics is not /metrics, GET /healthz is /healthz (real server)", async (host) => {
    const misrouted = await rawRequest(`GET /xx/metrics HTTP/1.1\r\nHost: ${host}`);
    expect(misrouted.status).toBe(404);
    expect(misrouted.body).not.toContain("ringlink_");
    const health = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: ${host}`);
    expect(health.status).toBe(200);
    const metrics = await rawRequest(`GET /metrics HTTP/1.1\r\nHost: ${host}`);
    expect(metrics.status).toBe(200);
  });

  test("a missing or malformed Host cannot cut a long first segment off the path (real server)", async () => {
    for (const head of [
      "GET /aaaaaaaaaaaaaaa/metrics HTTP/1.1\r\nHost: a/b",
      "GET /aaaaaaaaaaaaaaa/metrics HTTP/1.1\r\nHost: ",
      "GET /aaaaaaaaaaaaaaa/metrics HTTP/1.0",
    ]) {
      const res = await rawRequest(head);
      expect({ head, status: res.status }).toEqual({ head, status: 404 });
      expect(res.body).toContain('"not_found"');
    }
  });

  test("API routes and redirects answer the same behind a one-letter Host (real server)", async () => {
    const link = await rawRequest(`GET /api/v1/links/${code} HTTP/1.1\r\nHost: a`);
    expect(link.status).toBe(200);
    expect(JSON.parse(link.body).url).toBe("https://example.com/routing");
    const redirect = await rawRequest(`GET /${code} HTTP/1.1\r\nHost: a`);
    expect(redirect.status).toBe(302);
    const query = await rawRequest(`GET /api/v1/links?limit=1 HTTP/1.1\r\nHost: ab`);
    expect(query.status).toBe(200);
  });

  test("in-process: short hosts route by path", async () => {
    const app = buildApp(t.runtime);
    expect((await app.handle(new Request("http://a/xx/metrics"))).status).toBe(404);
    expect((await app.handle(new Request("http://ab/xx/healthz"))).status).toBe(404);
    expect((await app.handle(new Request("http://a/healthz"))).status).toBe(200);
    expect((await app.handle(new Request("http://a:1/metrics"))).status).toBe(200);
    const res = await app.handle(new Request(`http://a/api/v1/links/${code}?x=1`));
    expect(res.status).toBe(200);
  });

  test("the url keeps its path and query, and a url that was already routable is left as it is", () => {
    expect(ensureRoutableUrl(new Request("http://a/xx/metrics?q=1&r=/s")).url).toBe("http://host.invalid/xx/metrics?q=1&r=/s");
    const fine = new Request("http://localhost:8080/api/v1/links");
    expect(ensureRoutableUrl(fine)).toBe(fine);
    expect(fine.url).toBe("http://localhost:8080/api/v1/links");
  });
});
