export { openDatabase } from "./open-database";
