export { SnowflakeIds, MAX_NODE_ID, MAX_PROCESS_INDEX } from "./snowflake";
export { randomCode, isWellFormedCode, BASE62 } from "./short-code";
