/** An embedded-mode app over a throwaway SQLite file, driven in-process with app.handle(). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { buildApp } from "../../src/app";
import { loadConfig, type Env } from "../../src/config";
import { createRuntime, type Runtime } from "../../src/runtime";

export interface TestApp {
  runtime: Runtime;
  request(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  createLink(body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export const BASE = "http://localhost:8080";

/** A TestApp that also listens on a loopback port; `close()` stops the listener too. */
export interface ServedTestApp extends TestApp {
  server: Server<unknown>;
  /** http://127.0.0.1:<port> */
  base: string;
}

export async function startTestApp(env: Env = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "ringlink-test-"));
  const config = loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", ...env });
  const runtime = await createRuntime(config);
  const app = buildApp(runtime);
  const request = (path: string, init?: RequestInit) => app.handle(new Request(`${BASE}${path}`, init));
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return {
    runtime,
    request,
    post,
    async createLink(body) {
      const res = await post("/api/v1/links", body);
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The app over a real socket on 127.0.0.1 as well, for what app.handle() cannot carry: the peer
 * address (X-Forwarded-For behind a trusted 127.0.0.1), the Host a request names, real redirects.
 */
export async function startServedTestApp(env: Env = {}): Promise<ServedTestApp> {
  const app = await startTestApp(env);
  const routed = buildApp(app.runtime);
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => routed.handle(request) });
  routed.server = server;
  return {
    ...app,
    server,
    base: `http://127.0.0.1:${server.port}`,
    async close() {
      server.stop(true);
      await app.close();
    },
  };
}
