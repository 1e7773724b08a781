export { openapiDocument, SPEC_PATH } from "./openapi-document";
export { finishDocument, SECURITY_SCHEMES } from "./finish-document";
