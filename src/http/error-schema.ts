/** The JSON error envelope as an Elysia schema: every route's error responses in the OpenAPI document. */
import { t } from "elysia";

export const ErrorResponse = t.Object({ error: t.Object({ code: t.String(), message: t.String() }) });
