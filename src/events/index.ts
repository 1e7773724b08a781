export type { EventBus, EventBusStats, EventHandler } from "./event-bus";
export { InProcessEventBus } from "./in-process-bus";
export { EventIds, topicOf, type EventTopic, type LinkEvent } from "./link-event";
