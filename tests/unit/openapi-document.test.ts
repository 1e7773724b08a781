/** The served /openapi.json passes a real validator (swagger-parser) and keeps the rules validators and generators need. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { finishDocument } from "../../src/openapi";
import { startTestApp, type TestApp } from "../support/embedded-app";

let app: TestApp;
let doc: any;
beforeAll(async () => {
  app = await startTestApp({ PUBLIC_BASE_URL: "https://s.example" });
  const res = await app.request("/openapi.json");
  expect(res.headers.get("content-type")).toContain("application/json");
  doc = await res.json();
});
afterAll(() => app.close());

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

describe("/openapi.json", () => {
  test("swagger-parser validates it without a single error", async () => {
    // validate() dereferences in place: give it a copy, and fail with every message it reports.
    let problem = "";
    try {
      await SwaggerParser.validate(structuredClone(doc));
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    expect(problem).toBe("");
  });

  test("answers without a body carry no content; redirects name their Location", () => {
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (status === "204" || status.startsWith("3"))
          expect(`${method} ${path} ${status} ${JSON.stringify(response.content)}`).toBe(`${method} ${path} ${status} undefined`);
        if (/^30[1278]$|^303$/.test(status)) expect(response.headers?.Location).toBeDefined();
      }
    }
    expect(doc.paths["/api/v1/links/{code}"].delete.responses["204"]).toEqual({ description: "deleted" });
  });

  test("GET /{code} declares its redirects and the password form", () => {
    expect(Object.keys(doc.paths["/{code}"].get.responses).sort()).toEqual(["200", "301", "302", "307", "308", "404", "410"]);
    expect(doc.paths["/{code}"].post.responses["303"].headers.Location).toBeDefined();
  });

  test("bearer and session schemes are declared and every operation says which apply", () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: "http", scheme: "bearer" }),
      session: expect.objectContaining({ type: "apiKey", in: "cookie", name: "ringlink_session" }),
    });
    for (const { path, method, op } of operations()) expect(`${method} ${path} ${Array.isArray(op.security)}`).toBe(`${method} ${path} true`);
    expect(doc.paths["/api/v1/links"].get.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(doc.paths["/api/v1/links"].post.security).toEqual([{}, { bearer: [] }, { session: [] }]);
    expect(doc.paths["/api/v1/links/{code}/stats"].get.security).toEqual([{}, { bearer: [] }, { session: [] }]);
    expect(doc.paths["/{code}"].get.security).toEqual([]);
    expect(doc.paths["/healthz"].get.security).toEqual([]);
  });

  test("names its server and has no trailing-slash paths", () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: "https://s.example" })]);
    for (const path of Object.keys(doc.paths)) if (path !== "/") expect(path).not.toEndWith("/");
    expect(doc.paths["/api/v1/links"].post).toBeDefined();
    expect(doc.paths["/api/v1/links"].get).toBeDefined();
  });

  test("every path still answers as documented (no trailing slash needed)", async () => {
    expect((await app.request("/api/v1/links")).status).toBe(200);
    expect((await app.post("/api/v1/links", { url: "https://example.com/openapi" })).status).toBe(201);
  });
});

describe("finishDocument", () => {
  test("merges trailing-slash paths, strips bodies of 204/3xx, adds the session beside bearer, leaves the input alone", () => {
    const generated = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/a/": { get: { security: [{ bearer: [] }], responses: { 204: { description: "", content: { "application/json": { schema: { type: "null" } } } } } } },
        "/a": { post: { "x-responses": { 302: { description: "away" } } } },
      },
    };
    const before = JSON.stringify(generated);
    const done = finishDocument(generated, { serverUrl: "http://localhost:1" }) as any;
    expect(JSON.stringify(generated)).toBe(before);
    expect(Object.keys(done.paths)).toEqual(["/a"]);
    expect(done.paths["/a"].get.responses["204"]).toEqual({ description: "success" });
    expect(done.paths["/a"].get.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(done.paths["/a"].post.security).toEqual([]);
    expect(done.paths["/a"].post["x-responses"]).toBeUndefined();
    expect(done.paths["/a"].post.responses["302"].headers.Location).toBeDefined();
  });
});
