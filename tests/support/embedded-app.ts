/** An embedded-mode app over a throwaway SQLite file, driven in-process with app.handle(). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
