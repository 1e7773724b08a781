export { RedisNode } from "./redis-node";
export { RedisLinkCache, type RedisCacheStats } from "./redis-link-cache";
export { RedisInvalidation, INVALIDATION_CHANNEL, type InvalidationStats } from "./redis-invalidation";
export { encodeLink, decodeEntry, MISSING_VALUE } from "./cached-link-codec";
export { RedisChannelListener } from "./redis-channel";
