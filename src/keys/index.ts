export { SCOPES, isScope, parseScopes, type Scope } from "./scopes";
export { newToken, parseToken, hashSecret } from "./api-key-token";
export { ADMIN_PRINCIPAL, hasScope, seesAllLinks, ownerIdOf, type Principal } from "./principal";
export { KeyService, KEY_CACHE_MS, type CreatedKey } from "./key-service";
export { createAuthenticator, createTokenAuthenticator, requireScope, bearerToken, type Authenticate, type TokenAuthenticator } from "./request-auth";
export type { ApiKeyRecord, ApiKeyStore } from "./api-key-store";
