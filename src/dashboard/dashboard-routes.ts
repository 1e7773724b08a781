import { Elysia } from "elysia";
import { alsoAnswers } from "../http";
import { jsonError } from "../errors";
import type { Asset } from "./assets";

function serve(asset: Asset, request: Request): Response {
  if (request.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers: { etag: asset.etag } });
  return new Response(asset.body, { headers: asset.headers });
}

/** Answers of a page for the OpenAPI document (304 when the browser's copy is current). */
const HTML_PAGE = {
  200: { description: "the page", content: { "text/html": { schema: { type: "string" } } } },
  304: { description: "the browser's copy is current (If-None-Match)" },
};

/** `/` is the dashboard, `/docs` the API reference page, `/assets/<file>` their files. */
export function dashboardRoutes(assets: Map<string, Asset>) {
  const page =
    (name: string) =>
    ({ request }: { request: Request }) =>
      serve(assets.get(name)!, request);
  return new Elysia({ name: "dashboard" })
    .get("/", page("index.html"), { detail: { summary: "Dashboard", tags: ["dashboard"], ...alsoAnswers(HTML_PAGE) } })
    .get("/dashboard", page("index.html"), { detail: { hide: true } })
    .get("/docs", page("docs.html"), { detail: { summary: "API reference page", tags: ["dashboard"], ...alsoAnswers(HTML_PAGE) } })
    .get(
      "/assets/:file",
      ({ params, request }) => {
        const asset = assets.get(params.file);
        return asset ? serve(asset, request) : jsonError(404, "not_found", `no asset named '${params.file}'`);
      },
      { detail: { hide: true } },
    )
    .get("/favicon.ico", ({ request }) => serve(assets.get("favicon.svg")!, request), { detail: { hide: true } });
}
