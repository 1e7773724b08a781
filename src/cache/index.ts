export { MISSING, LocalInvalidation, cacheEntryBytes, type CachedLink, type CacheEntry, type LinkCache, type Invalidation } from "./link-cache";
export { RedisNode, RedisLinkCache, RedisInvalidation, RedisChannelListener, decodeEntry } from "./redis";
