export { SnowflakeIds, decodeSnowflake, EPOCH_MS, MAX_NODE_ID, MAX_PROCESS_INDEX } from "./snowflake";
export { randomCode, isWellFormedCode, BASE62, DEFAULT_CODE_LENGTH } from "./short-code";
