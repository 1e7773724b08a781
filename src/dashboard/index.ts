export { loadAssets, ASSET_FILES, type Asset } from "./assets";
export { dashboardRoutes } from "./dashboard-routes";
