export { UsageError, parseArgs } from "./argv";
export { runKeysCommand } from "./keys";
export { importCsv, exportCsv } from "./import-export";
export { seedLinks } from "./seed";
export { runTopologyCommand, loadTopologyView, type TopologyView } from "./topology";
export { runReshardCommand } from "./reshard";
export { runVerifyCommand, verifyOnce, unrepaired } from "./verify";
