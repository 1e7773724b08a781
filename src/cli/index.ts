export { UsageError, parseArgs } from "./argv";
export { runKeysCommand } from "./keys";
export { importCsv, exportCsv } from "./import-export";
export { seedLinks } from "./seed";
export { openLinkClient, runLinksCommand } from "./links";
export { commandHelp, environmentHelp } from "./help";
export { formatTable, formatFields, type Column } from "./table";
