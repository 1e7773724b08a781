export { loadAssets, type Asset } from "./assets";
export { dashboardRoutes } from "./dashboard-routes";
