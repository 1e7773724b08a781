export { createOriginCheck, type OriginCheck, type OriginPolicyOptions } from "./origin-policy";
export { createWatchAccess, STREAM_PROTOCOL, BEARER_PROTOCOL_PREFIX, type WatchAccess, type WatchAccessDeps, type WatchDecision } from "./watch-access";
