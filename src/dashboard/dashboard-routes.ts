import { Elysia } from "elysia";
import { jsonError } from "../errors";
import type { Asset } from "./assets";

function serve(asset: Asset, request: Request): Response {
  if (request.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers: { etag: asset.etag } });
  return new Response(asset.body, { headers: asset.headers });
}

/** `/` is the dashboard, `/docs` the API reference page, `/assets/<file>` their files. */
export function dashboardRoutes(assets: Map<string, Asset>) {
  const page =
    (name: string) =>
    ({ request }: { request: Request }) =>
      serve(assets.get(name)!, request);
  return new Elysia({ name: "dashboard" })
    .get("/", page("index.html"), { detail: { summary: "Dashboard", tags: ["dashboard"] } })
    .get("/dashboard", page("index.html"), { detail: { hide: true } })
    .get("/docs", page("docs.html"), { detail: { summary: "API reference page", tags: ["dashboard"] } })
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
