export { ensurePrivateDir, ensurePrivateFile, restrictIfPresent, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "./private-files";
