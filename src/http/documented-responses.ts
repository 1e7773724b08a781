/**
 * Answers a route declares for the OpenAPI document beside its response schemas: redirects, pages,
 * images. The generator replaces `detail.responses` with the schema-derived answers, so these travel
 * under an extension key that src/openapi merges into `responses` (and removes).
 */
export const EXTRA_RESPONSES = "x-responses";

export interface DocumentedResponse {
  description: string;
  content?: Record<string, { schema: unknown }>;
}

/** Spread into a route's `detail`: `detail: { summary, ...alsoAnswers({ 302: { description } }) }`. */
export function alsoAnswers(responses: Record<string | number, DocumentedResponse>): Record<never, never> {
  return { [EXTRA_RESPONSES]: responses };
}
