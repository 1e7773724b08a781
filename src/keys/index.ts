export { SCOPES, type Scope } from "./scopes";
export { ADMIN_PRINCIPAL, hasScope, seesAllLinks, ownerIdOf, type Principal } from "./principal";
export { KeyService } from "./key-service";
export {
  createAuthenticator,
  createTokenAuthenticator,
  requireScope,
  bearerToken,
  type Authenticate,
  type SessionCredential,
  type TokenAuthenticator,
} from "./request-auth";
export type { ApiKeyRecord, ApiKeyStore } from "./api-key-store";
