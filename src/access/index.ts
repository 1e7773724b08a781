export { createOriginCheck } from "./origin-policy";
export { createWatchAccess, type WatchAccess } from "./watch-access";
