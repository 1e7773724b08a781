export { ThreadPool } from "./thread-pool";
export { WorkGate } from "./work-gate";
export { serveThread } from "./thread-main";
export { threadEntryUrl } from "./thread-entry";
