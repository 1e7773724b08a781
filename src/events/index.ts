export type { EventBus, EventBusStats, EventHandler } from "./event-bus";
export { InProcessEventBus } from "./in-process-bus";
export { EventIds, topicOf, toLinkEvent, type EventTopic, type LinkEvent } from "./link-event";
export { SpoolJournal, type SpoolJournalOptions, type SpoolPosition, type SpoolRead } from "./spool-journal";
export { KafkaEventBus, type KafkaEventBusOptions, type KafkaBusStats, type KafkaBusBacklog } from "./kafka/kafka-event-bus";
export { createKafka, type KafkaClientOptions } from "./kafka/kafka-client";
export { ensureTopics, physicalTopic, EVENT_TOPICS, type TopicSettings } from "./kafka/kafka-topics";
export { createEventBus, createEventTopics, spoolDirOf } from "./create-event-bus";
export { decodeRecord, encodeRecord, recordBytesOf, type DecodedRecord } from "./event-records";
