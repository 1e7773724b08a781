export type { AnalyticsStore } from "./analytics-store";
export { agentInfo, isHumanAgent } from "./click-dimensions";
export { LocalClickAggregator } from "./local-click-aggregator";
export { SqliteAnalyticsStore } from "./sqlite-analytics-store";
export { PostgresAnalyticsStore } from "./postgres-analytics-store";
export { startProcessedEventsPruner } from "./processed-events-pruner";
export { StatsService } from "./stats-service";
export { statsRoutes } from "./stats-routes";
export { KafkaClickConsumer, type ClickConsumerStats } from "./kafka-click-consumer";
