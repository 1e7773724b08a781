export { ensurePrivateDir, ensurePrivateFile, restrictIfPresent, PRIVATE_FILE_MODE } from "./private-files";
