// Files imported `with { type: "file" }` resolve to a path (inside the compiled binary: /$bunfs/...),
// and `with { type: "text" }` to their contents.
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const path: string;
  export default path;
}
declare module "*.svg" {
  const path: string;
  export default path;
}
declare module "*/frontend/app.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/boot.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/docs.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/docs-try.js" {
  const path: string;
  export default path;
}
// The dashboard's other modules (frontend/*.js), each listed in src/dashboard/assets.ts.
declare module "*/frontend/api.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/credentials.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/dom.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/charts.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/live.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/dashboard-tab.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/links-tab.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/analytics-tab.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/nodes-tab.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/history-tab.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/link-detail.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/link-actions.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/bulk-create.js" {
  const path: string;
  export default path;
}
declare module "*/frontend/signin.js" {
  const path: string;
  export default path;
}
// The IP-to-country database (src/geo), embedded in the binary.
declare module "*.mmdb" {
  const path: string;
  export default path;
}
