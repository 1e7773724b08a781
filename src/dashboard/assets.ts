/**
 * The dashboard's files, imported as files so `bun build --compile` embeds them in the binary.
 * A unit test checks that every file in frontend/ is listed here.
 */
import { ASSET_SECURITY_HEADERS, HTML_SECURITY_HEADERS } from "../http";
import notFoundHtml from "../../frontend/404.html" with { type: "file" };
import analyticsTabJs from "../../frontend/analytics-tab.js" with { type: "file" };
import signinJs from "../../frontend/signin.js" with { type: "file" };
import linkDetailJs from "../../frontend/link-detail.js" with { type: "file" };
import linkActionsJs from "../../frontend/link-actions.js" with { type: "file" };
import bulkCreateJs from "../../frontend/bulk-create.js" with { type: "file" };
import apiJs from "../../frontend/api.js" with { type: "file" };
import appCss from "../../frontend/app.css" with { type: "file" };
import appJs from "../../frontend/app.js" with { type: "file" };
import bootJs from "../../frontend/boot.js" with { type: "file" };
import chartsJs from "../../frontend/charts.js" with { type: "file" };
import credentialsJs from "../../frontend/credentials.js" with { type: "file" };
import dashboardCss from "../../frontend/dashboard.css" with { type: "file" };
import dashboardTabJs from "../../frontend/dashboard-tab.js" with { type: "file" };
import docsHtml from "../../frontend/docs.html" with { type: "file" };
import docsJs from "../../frontend/docs.js" with { type: "file" };
import docsTryJs from "../../frontend/docs-try.js" with { type: "file" };
import domJs from "../../frontend/dom.js" with { type: "file" };
import favicon from "../../frontend/favicon.svg" with { type: "file" };
import historyTabJs from "../../frontend/history-tab.js" with { type: "file" };
import indexHtml from "../../frontend/index.html" with { type: "file" };
import linksTabJs from "../../frontend/links-tab.js" with { type: "file" };
import liveJs from "../../frontend/live.js" with { type: "file" };
import nodesTabJs from "../../frontend/nodes-tab.js" with { type: "file" };
import noscriptCss from "../../frontend/noscript.css" with { type: "file" };
import pageCss from "../../frontend/page.css" with { type: "file" };

export const ASSET_FILES: Readonly<Record<string, string>> = {
  // bun-types describes *.html imports as HTML bundles; with type "file" they are plain paths.
  "index.html": indexHtml as unknown as string,
  "404.html": notFoundHtml as unknown as string,
  "docs.html": docsHtml as unknown as string,
  "docs.js": docsJs,
  "docs-try.js": docsTryJs,
  "app.css": appCss,
  "dashboard.css": dashboardCss,
  "noscript.css": noscriptCss,
  "page.css": pageCss,
  "boot.js": bootJs,
  "app.js": appJs,
  "api.js": apiJs,
  "credentials.js": credentialsJs,
  "dom.js": domJs,
  "charts.js": chartsJs,
  "live.js": liveJs,
  "dashboard-tab.js": dashboardTabJs,
  "links-tab.js": linksTabJs,
  "analytics-tab.js": analyticsTabJs,
  "nodes-tab.js": nodesTabJs,
  "history-tab.js": historyTabJs,
  "bulk-create.js": bulkCreateJs,
  "link-actions.js": linkActionsJs,
  "link-detail.js": linkDetailJs,
  "signin.js": signinJs,
  "favicon.svg": favicon,
};

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
};

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
  /** every header of a 200 answer, built once */
  headers: Record<string, string>;
}

/** Loaded once at start-up: the dashboard is small and serving from memory keeps it off the disk. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [name, path] of Object.entries(ASSET_FILES)) {
    const body = new Uint8Array(await Bun.file(path).arrayBuffer());
    const ext = name.slice(name.lastIndexOf(".") + 1);
    const contentType = CONTENT_TYPES[ext] ?? "application/octet-stream";
    const etag = `"${Bun.hash(body).toString(36)}"`;
    const security = ext === "html" ? HTML_SECURITY_HEADERS : ASSET_SECURITY_HEADERS;
    assets.set(name, { body, contentType, etag, headers: { "content-type": contentType, etag, "cache-control": "no-cache", ...security } });
  }
  return assets;
}
