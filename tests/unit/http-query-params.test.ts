/** Query strings are parsed once, against each route's schema: documented bounds hold on every endpoint. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { ACCEPTS, EXPECTED } from "../../src/http";
import { parseQuery } from "../../src/http/query-params";
import { startTestApp, type TestApp } from "../support/embedded-app";

const Schema = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 })),
  format: t.Optional(t.UnionEnum(["svg", "png"], { default: "svg" })),
  q: t.Optional(t.String({ minLength: 1, maxLength: 5 })),
  id: t.Optional(t.String({ pattern: "^[0-9]{1,3}$", [EXPECTED]: "a small id", [ACCEPTS]: (raw: string) => Number(raw) <= 500 })),
});

function refusal(url: string): { code: string; message: string } {
  try {
    parseQuery(Schema, url);
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error(`${url} was accepted`);
}

describe("parseQuery", () => {
  test("reads integers as digits only, within the schema's bounds, and fills in defaults", () => {
    expect(parseQuery(Schema, "/x")).toEqual({ limit: 20, format: "svg" });
    expect(parseQuery(Schema, "/x?limit=100&format=png&q=abc&id=42&other=ignored")).toEqual({ limit: 100, format: "png", q: "abc", id: "42" });
    expect(parseQuery(Schema, "/x?limit=007")).toEqual({ limit: 7, format: "svg" });
  });

  test("refuses what JavaScript would read as a number but is not a whole number in range", () => {
    for (const raw of ["0", "101", "-2", "1000000", "50.5", "1e3", "0x10", "Infinity", "1e400", "", "abc", "9".repeat(20), "+5", " 5"]) {
      expect(refusal(`/x?limit=${encodeURIComponent(raw)}`)).toEqual({
        code: "invalid_limit",
        message: `limit must be a whole number from 1 to 100 (got '${raw}')`,
      });
    }
  });

  test("refuses a parameter given twice, values outside an enum, lengths and patterns, with a sentence", () => {
    expect(refusal("/x?limit=5&limit=6")).toEqual({ code: "invalid_limit", message: "limit must be given once (got 2 values)" });
    expect(refusal("/x?format=gif")).toEqual({ code: "invalid_format", message: "format must be one of svg, png (got 'gif')" });
    expect(refusal("/x?q=")).toEqual({ code: "invalid_query", message: "q must be text of 1 to 5 characters (got '')" });
    expect(refusal("/x?q=toolong").message).toBe("q must be text of 1 to 5 characters (got 'toolong')");
    expect(refusal("/x?id=abc").message).toBe("id must be a small id (got 'abc')");
    expect(refusal("/x?id=501").message).toBe("id must be a small id (got '501')");
  });
});

describe("every numeric query parameter of every endpoint is range-checked", () => {
  let app: TestApp;
  let code: string;
  const admin = { authorization: "Bearer query-params-admin-token-0123456789" };
  beforeAll(async () => {
    app = await startTestApp({ ADMIN_TOKEN: admin.authorization.slice(7) });
    code = (await app.createLink({ url: "https://example.com/bounds" })).json.code;
  });
  afterAll(() => app.close());

  const malformed = ["50.5", "1e3", "Infinity", "1e400", "-2", "0", "1000000", "abc", ""];
  const endpoints: Array<{ name: string; path: (value: string) => string; code: string; range: string }> = [
    { name: "GET /api/v1/links limit", path: (v) => `/api/v1/links?limit=${v}`, code: "invalid_limit", range: "limit must be a whole number from 1 to 100" },
    {
      name: "GET /api/v1/links/:code/qr size",
      path: (v) => `/api/v1/links/${code}/qr?format=png&size=${v}`,
      code: "invalid_size",
      range: "size must be a whole number from 64 to 2048",
    },
    {
      name: "GET /api/v1/links/:code/stats top",
      path: (v) => `/api/v1/links/${code}/stats?top=${v}`,
      code: "invalid_top",
      range: "top must be a whole number from 1 to 100",
    },
  ];
  for (const endpoint of endpoints) {
    test(`${endpoint.name}: out of range or malformed is 400 naming the parameter and its range`, async () => {
      for (const value of malformed) {
        const res = await app.request(endpoint.path(encodeURIComponent(value)), { headers: admin });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect({ value, status: res.status, ...body.error }).toEqual({
          value,
          status: 400,
          code: endpoint.code,
          message: `${endpoint.range} (got '${value}')`,
        });
      }
    });
  }

  test("a 20-digit cursor, and a 19-digit one beyond the largest id, are 400 invalid_cursor, not 500", async () => {
    for (const cursor of ["12345678901234567890", "9999999999999999999"]) {
      const res = await app.request(`/api/v1/links?cursor=${cursor}`, { headers: admin });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error).toEqual({
        code: "invalid_cursor",
        message: `cursor must be the nextCursor of an earlier page, a whole number below 2^63 (got '${cursor}')`,
      });
    }
    expect((await app.request("/api/v1/links?cursor=9223372036854775807", { headers: admin })).status).toBe(200);
  });

  test("stats interval and text parameters answer sentences too", async () => {
    const interval = await app.request(`/api/v1/links/${code}/stats?interval=week`);
    expect(((await interval.json()) as any).error).toEqual({ code: "invalid_interval", message: "interval must be one of minute, hour, day (got 'week')" });
    const tag = await app.request("/api/v1/links?tag=no%20spaces", { headers: admin });
    expect(((await tag.json()) as any).error).toEqual({ code: "invalid_tag", message: "tag must be a tag: 1 to 32 of A-Z a-z 0-9 _ . - (got 'no spaces')" });
  });

  test("values inside the bounds are served", async () => {
    expect((await app.request("/api/v1/links?limit=100", { headers: admin })).status).toBe(200);
    expect((await app.request(`/api/v1/links/${code}/stats?top=100`)).status).toBe(200);
    const qr = await app.request(`/api/v1/links/${code}/qr?format=png&size=64`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/png");
  });

  test("the OpenAPI document states each bound", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as any;
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name).schema;
    expect(param("/api/v1/links", "limit")).toMatchObject({ minimum: 1, maximum: 100 });
    expect(param("/api/v1/links", "cursor")).toMatchObject({ pattern: "^[0-9]{1,19}$" });
    expect(param("/api/v1/links/{code}/qr", "size")).toMatchObject({ minimum: 64, maximum: 2048 });
    expect(param("/api/v1/links/{code}/qr", "format")).toMatchObject({ enum: ["svg", "png"] });
    expect(param("/api/v1/links/{code}/stats", "top")).toMatchObject({ minimum: 1, maximum: 100 });
    expect(param("/api/v1/links/{code}/stats", "interval")).toMatchObject({ enum: ["minute", "hour", "day"] });
  });
});
