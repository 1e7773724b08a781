export { ThreadPool, type ThreadPoolOptions } from "./thread-pool";
export { WorkGate, type WorkGateOptions } from "./work-gate";
export { serveThread, type ThreadReply } from "./thread-main";
export { threadEntryUrl, THREAD_ENTRIES, type ThreadEntry } from "./thread-entry";
