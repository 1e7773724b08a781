export { Realtime } from "./realtime-service";
export { realtimeRoutes } from "./realtime-routes";
export { RedisRelay } from "./redis-relay";
export type { RelayTransport, RelayTransportStats } from "./relay";
export { isRelayMessage, type RelayMessage } from "./wire";
