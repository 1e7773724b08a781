export type { EventBus, EventBusStats } from "./event-bus";
export { InProcessEventBus } from "./in-process-bus";
export { EVENT_TOPIC_NAMES, EventIds, isEventTopic, type EventTopic, type LinkEvent } from "./link-event";
export { KafkaEventBus } from "./kafka/kafka-event-bus";
export { createKafka } from "./kafka/kafka-client";
export { ensureTopics, physicalTopic } from "./kafka/kafka-topics";
export { createEventTopics, spoolDirOf, topicSettingsOf } from "./event-settings";
export { decodeRecord } from "./event-records";
export { boundedUserAgent, countryOf, referrerOrigin } from "./click-fields";
