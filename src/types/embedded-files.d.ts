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
declare module "*/frontend/docs.js" {
  const path: string;
  export default path;
}
