/** GET /openapi.json: the document @elysiajs/openapi generates from the routes, finished by finish-document.ts. */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { SECURITY_SCHEMES, finishDocument } from "./finish-document";

export const SPEC_PATH = "/openapi.json";

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
  /** PUBLIC_BASE_URL: the document's one server */
  serverUrl: string;
}

export function openapiDocument({ title, version, description, serverUrl }: OpenApiOptions) {
  // The generator caches its document (until routes change); the finished copy is cached beside it.
  const finished = new WeakMap<object, Record<string, unknown>>();
  return new Elysia({ name: "openapi-document" })
    .onAfterHandle(({ request, response }) => {
      if (new URL(request.url).pathname !== SPEC_PATH || response === null || typeof response !== "object" || response instanceof Response) return;
      let doc = finished.get(response);
      if (doc === undefined) {
        doc = finishDocument(response as Record<string, unknown>, { serverUrl });
        finished.set(response, doc);
      }
      return Response.json(doc);
    })
    .use(
      openapi({
        provider: null,
        specPath: SPEC_PATH,
        documentation: { info: { title, version, description }, components: { securitySchemes: { ...SECURITY_SCHEMES } } },
      }),
    );
}
