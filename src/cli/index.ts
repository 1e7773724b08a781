export { UsageError, parseArgs } from "./argv";
export { runKeysCommand } from "./keys";
export { importCsv, exportCsv } from "./import-export";
export { seedLinks } from "./seed";
