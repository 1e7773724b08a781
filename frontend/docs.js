// ringlink API docs — renders /openapi.json with plain DOM APIs (no Swagger UI).
// Every string from the spec is inserted with textContent, never innerHTML.

import { authPanel, tryIt } from "./docs-try.js";

const SPEC_URL = "/openapi.json";
const METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];
const MAX_DEPTH = 8;

const $ = (id) => document.getElementById(id);
const statusBox = $("docs-status");
const list = $("docs-list");
const filterInput = $("docs-filter");
const toggleBtn = $("docs-toggle");
const noMatch = $("docs-nomatch");

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v) => (typeof v === "string" ? v : "");

// ---------------------------------------------------------------------------
// $ref resolution (local JSON pointers only)

let SPEC = {};

function resolvePointer(ref) {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  let node = SPEC;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = node[key];
  }
  return node;
}

const refName = (ref) => String(ref).split("/").pop();

/** Follows $ref chains. Returns { schema, name, cyclic }. */
function deref(schema, seen) {
  let name = null;
  let cur = schema;
  let hops = 0;
  while (isObj(cur) && typeof cur.$ref === "string") {
    if (seen.has(cur.$ref) || hops > 20) return { schema: {}, name: refName(cur.$ref), cyclic: true };
    name = refName(cur.$ref);
    const next = resolvePointer(cur.$ref);
    if (next === undefined) return { schema: {}, name, cyclic: false, missing: true };
    cur = next;
    hops++;
  }
  return { schema: isObj(cur) ? cur : {}, name, cyclic: false };
}

/** Resolves $ref on non-schema objects (parameters, requestBodies, responses). */
function derefObject(obj) {
  let cur = obj;
  for (let i = 0; i < 20 && isObj(cur) && typeof cur.$ref === "string"; i++) cur = resolvePointer(cur.$ref);
  return isObj(cur) ? cur : {};
}

// ---------------------------------------------------------------------------
// Schema description

function literal(v) {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/**
 * anyOf/oneOf members, minus Elysia's coercion twins: for `t.Numeric()` and
 * friends it emits `anyOf: [{ type: "string", format: "integer" }, { type: "integer" }]`;
 * the string twin only means "also accepted as a string in query/form data".
 */
function variantsOf(s, seen = new Set()) {
  const list = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;
  if (!list) return null;
  const resolved = list.map((v) => ({ v, d: deref(v, seen).schema }));
  const siblingTypes = new Set(resolved.map(({ d }) => d.type).filter((t) => typeof t === "string" && t !== "string"));
  const kept = resolved.filter(
    ({ d }) =>
      !(
        d.type === "string" &&
        typeof d.format === "string" &&
        (siblingTypes.has(d.format) || (d.format === "numeric" && (siblingTypes.has("number") || siblingTypes.has("integer"))))
      ),
  );
  return (kept.length ? kept : resolved).map(({ v }) => v);
}

/** A union of exactly one schema and null is shown as that schema (its constraints included). */
function effective(s, seen, depth = 0) {
  const vs = variantsOf(s, seen);
  if (!vs || depth > MAX_DEPTH) return s;
  const nonNull = vs.filter((v) => !isNullSchema(deref(v, seen).schema));
  if (nonNull.length !== 1) return s;
  const inner = effective(mergeAllOf(deref(nonNull[0], seen).schema, seen), seen, depth + 1);
  const { anyOf, oneOf, ...outer } = s;
  return { ...inner, ...outer };
}

/** allOf of objects -> one merged object schema (best effort). */
function mergeAllOf(s, seen) {
  if (!Array.isArray(s.allOf)) return s;
  const merged = { ...s, type: s.type ?? "object", properties: { ...(s.properties || {}) }, required: [...(s.required || [])] };
  delete merged.allOf;
  for (const part of s.allOf) {
    const { schema } = deref(part, seen);
    const inner = mergeAllOf(schema, seen);
    Object.assign(merged.properties, inner.properties || {});
    merged.required.push(...(inner.required || []));
    if (!merged.description && inner.description) merged.description = inner.description;
  }
  return merged;
}

function isNullSchema(s) {
  return isObj(s) && (s.type === "null" || (s.const === null && !("type" in s)));
}

function typeLabel(schema, seen, depth = 0) {
  if (depth > MAX_DEPTH) return "…";
  const { schema: s0, name, cyclic } = deref(schema, seen);
  if (cyclic) return name ? `${name} (recursive)` : "(recursive)";
  const s = mergeAllOf(s0, seen);
  let label;
  if ("const" in s) label = literal(s.const);
  else if (Array.isArray(s.enum)) label = s.enum.map(literal).join(" | ");
  else if (variantsOf(s, seen)) {
    label = [
      ...new Set(
        variantsOf(s, seen)
          .map((v) => typeLabel(v, seen, depth + 1))
          .flatMap((x) => (x.includes("(") ? [x] : x.split(" | "))),
      ),
    ].join(" | ");
  } else {
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (types.length === 0) {
      if (s.properties) types.push("object");
      else if (s.items) types.push("array");
    }
    label = types
      .map((t) => {
        if (t === "array") {
          const item = s.items ? typeLabel(s.items, seen, depth + 1) : "any";
          return item.includes(" | ") ? `array of (${item})` : `array of ${item}`;
        }
        if (t === "object" && name) return name;
        if (t === "integer" || t === "number" || t === "string") return s.format ? `${t} (${s.format})` : t;
        return t;
      })
      .join(" | ");
    if (!label) label = name || "any";
  }
  if (s.nullable === true && !label.includes("null")) label += " | null";
  return label;
}

function constraintsOf(s) {
  const out = [];
  const add = (k, v) => out.push([k, v]);
  if (typeof s.pattern === "string") add("pattern", s.pattern);
  if (s.minLength !== undefined) add("min length", s.minLength);
  if (s.maxLength !== undefined) add("max length", s.maxLength);
  if (s.minimum !== undefined) add("min", s.minimum);
  if (s.maximum !== undefined) add("max", s.maximum);
  if (typeof s.exclusiveMinimum === "number") add("> ", s.exclusiveMinimum);
  if (typeof s.exclusiveMaximum === "number") add("< ", s.exclusiveMaximum);
  if (s.multipleOf !== undefined) add("multiple of", s.multipleOf);
  if (s.minItems !== undefined) add("min items", s.minItems);
  if (s.maxItems !== undefined) add("max items", s.maxItems);
  if (s.uniqueItems === true) add("unique items", "yes");
  if (s.default !== undefined) add("default", literal(s.default));
  if (s.example !== undefined) add("example", literal(s.example));
  else if (Array.isArray(s.examples) && s.examples.length) add("example", literal(s.examples[0]));
  if (s.readOnly) add("read-only", "yes");
  if (s.writeOnly) add("write-only", "yes");
  if (s.deprecated) add("deprecated", "yes");
  return out;
}

function constraintChips(s) {
  const items = constraintsOf(s);
  if (!items.length) return null;
  const wrap = el("span", { class: "schema__constraints" });
  for (const [k, v] of items) {
    wrap.append(el("span", { class: "chip" }, el("span", { class: "chip__key", text: k.trim() }), " ", el("code", { text: String(v) })));
  }
  return wrap;
}

/** Children (properties / items / variants) of a schema, as a nested list, or null. */
function schemaChildren(schema, seen, depth) {
  if (depth > MAX_DEPTH) return el("p", { class: "schema__more", text: "… (nesting too deep)" });
  const { schema: s0, cyclic } = deref(schema, seen);
  if (cyclic) return null;
  const seenHere = new Set(seen);
  if (isObj(schema) && schema.$ref) seenHere.add(schema.$ref);
  const s = mergeAllOf(s0, seenHere);

  if (isObj(s.properties) && Object.keys(s.properties).length) {
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    const ul = el("ul", { class: "schema" });
    for (const [prop, propSchema] of Object.entries(s.properties)) {
      ul.append(schemaRow(prop, propSchema, required.has(prop), seenHere, depth + 1));
    }
    if (isObj(s.additionalProperties)) {
      ul.append(schemaRow("[key: string]", s.additionalProperties, false, seenHere, depth + 1));
    }
    return ul;
  }
  if (isObj(s.additionalProperties)) {
    const ul = el("ul", { class: "schema" });
    ul.append(schemaRow("[key: string]", s.additionalProperties, false, seenHere, depth + 1));
    return ul;
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes("array") && s.items) {
    return schemaChildren(s.items, seenHere, depth + 1);
  }
  const variants = variantsOf(s, seenHere);
  if (variants) {
    const complex = variants.filter((v) => {
      const d = deref(v, seenHere).schema;
      return !isNullSchema(d) && !("const" in d) && !Array.isArray(d.enum) && (d.properties || d.items || variantsOf(d, seenHere) || d.allOf);
    });
    if (complex.length === 0) return null;
    if (complex.length === 1) return schemaChildren(complex[0], seenHere, depth + 1);
    const ol = el("ol", { class: "schema schema--variants" });
    complex.forEach((v, i) => {
      const li = el("li", { class: "schema__variant" });
      li.append(el("span", { class: "schema__variant-label", text: `Option ${i + 1}: ${typeLabel(v, seenHere)}` }));
      const kids = schemaChildren(v, seenHere, depth + 1);
      if (kids) li.append(kids);
      ol.append(li);
    });
    return ol;
  }
  return null;
}

function schemaRow(name, schema, required, seen, depth) {
  const { schema: s0 } = deref(schema, seen);
  const s = mergeAllOf(s0, seen);
  const li = el("li", { class: "schema__row" });
  const line = el("div", { class: "schema__line" });
  line.append(el("code", { class: "schema__name", text: name }));
  line.append(el("span", { class: "schema__type", text: typeLabel(schema, seen) }));
  if (required) line.append(el("span", { class: "schema__req", text: "required" }));
  const chips = constraintChips(effective(s, seen));
  if (chips) line.append(chips);
  li.append(line);
  const desc = str(s.description) || str(isObj(schema) ? schema.description : "");
  if (desc) li.append(el("p", { class: "schema__desc", text: desc }));
  const kids = schemaChildren(schema, seen, depth);
  if (kids) li.append(kids);
  return li;
}

/** Top-level schema block: type line + description + children. */
function schemaBlock(schema) {
  const seen = new Set();
  const wrap = el("div", { class: "schema-block" });
  const { schema: s0 } = deref(schema, seen);
  const s = mergeAllOf(s0, seen);
  const head = el("div", { class: "schema__line" });
  head.append(el("span", { class: "schema__type schema__type--root", text: typeLabel(schema, seen) }));
  const chips = constraintChips(effective(s, seen));
  if (chips) head.append(chips);
  wrap.append(head);
  if (str(s.description)) wrap.append(el("p", { class: "schema__desc", text: s.description }));
  const kids = schemaChildren(schema, seen, 0);
  if (kids) wrap.append(kids);
  return wrap;
}

// ---------------------------------------------------------------------------
// Example generation (request bodies)

function exampleOf(schema, seen = new Set(), depth = 0) {
  if (depth > MAX_DEPTH) return null;
  const { schema: s0, cyclic } = deref(schema, seen);
  if (cyclic) return null;
  const seenHere = new Set(seen);
  if (isObj(schema) && schema.$ref) seenHere.add(schema.$ref);
  const s = mergeAllOf(s0, seenHere);
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ("const" in s) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const variants = variantsOf(s, seenHere);
  if (variants) {
    const pick = variants.find((v) => !isNullSchema(deref(v, seenHere).schema)) ?? variants[0];
    return pick ? exampleOf(pick, seenHere, depth + 1) : null;
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : (s.type ?? (s.properties ? "object" : s.items ? "array" : undefined));
  switch (type) {
    case "object": {
      const out = {};
      for (const [k, v] of Object.entries(s.properties || {})) out[k] = exampleOf(v, seenHere, depth + 1);
      return out;
    }
    case "array":
      return s.items ? [exampleOf(s.items, seenHere, depth + 1)] : [];
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : type === "integer" ? 0 : 0.0;
    case "boolean":
      return false;
    case "string": {
      switch (s.format) {
        case "date-time":
          return new Date(Date.UTC(2030, 0, 1, 12, 0, 0)).toISOString();
        case "date":
          return "2030-01-01";
        case "uri":
        case "url":
          return "https://example.com/some/long/path";
        case "email":
          return "user@example.com";
        case "uuid":
          return "00000000-0000-4000-8000-000000000000";
        default:
          return "string";
      }
    }
    case "null":
      return null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------
// Operation rendering

function opId(method, path) {
  return `op-${method}-${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-+$/, "");
}

function pathNode(path) {
  const code = el("code", { class: "op__path" });
  for (const part of path.split(/(\{[^}]+\})/)) {
    if (!part) continue;
    if (part.startsWith("{")) code.append(el("span", { class: "op__param", text: part }));
    else code.append(part);
  }
  return code;
}

/** Groups content types that share an identical schema (Elysia repeats one schema per type). */
function groupContent(content) {
  const groups = [];
  for (const [type, media] of Object.entries(isObj(content) ? content : {})) {
    const m = isObj(media) ? media : {};
    const key = JSON.stringify(m.schema ?? null);
    const g = groups.find((x) => x.key === key);
    if (g) g.types.push(type);
    else groups.push({ key, types: [type], media: m });
  }
  // Put JSON first.
  groups.sort((a, b) => Number(b.types.some((t) => t.includes("json"))) - Number(a.types.some((t) => t.includes("json"))));
  return groups;
}

function mediaExample(media) {
  if (media.example !== undefined) return media.example;
  if (isObj(media.examples)) {
    const first = Object.values(media.examples)[0];
    if (isObj(first) && first.value !== undefined) return first.value;
  }
  return undefined;
}

function contentBlocks(content, { generateExample }) {
  const frag = document.createDocumentFragment();
  for (const g of groupContent(content)) {
    const block = el("div", { class: "media" });
    const types = el("p", { class: "media__types" });
    g.types.forEach((t, i) => {
      if (i) types.append(" ");
      types.append(el("code", { class: "media__type", text: t }));
    });
    block.append(types);
    if (g.media.schema !== undefined) block.append(schemaBlock(g.media.schema));
    let example = mediaExample(g.media);
    if (example === undefined && generateExample && g.media.schema !== undefined) example = exampleOf(g.media.schema);
    if (example !== undefined && example !== null && g.types.some((t) => t.includes("json"))) {
      const det = el("details", { class: "example" });
      det.append(el("summary", { text: "Example" }));
      det.append(el("pre", { class: "example__code" }, el("code", { text: JSON.stringify(example, null, 2) })));
      block.append(det);
    }
    frag.append(block);
  }
  return frag;
}

/** A body to start Try it from: the documented example, or the schema's required fields only (optional ones are choices). */
function tryExample(media) {
  const documented = mediaExample(media);
  if (documented !== undefined) return documented;
  if (media.schema === undefined) return undefined;
  const example = exampleOf(media.schema);
  const schema = mergeAllOf(deref(media.schema, new Set()).schema, new Set());
  if (!isObj(example) || !Array.isArray(schema.required)) return example ?? undefined;
  return Object.fromEntries(Object.entries(example).filter(([k]) => schema.required.includes(k)));
}

function section(title, ...children) {
  const s = el("section", { class: "op__section" });
  s.append(el("h4", { class: "op__section-title", text: title }));
  for (const c of children) if (c) s.append(c);
  return s;
}

function parametersTable(params) {
  const table = el("table", { class: "params" });
  table.append(
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", text: "Name" }),
        el("th", { scope: "col", text: "In" }),
        el("th", { scope: "col", text: "Type" }),
        el("th", { scope: "col", text: "Description" }),
      ),
    ),
  );
  const tbody = el("tbody");
  for (const raw of params) {
    const p = derefObject(raw);
    const nameCell = el("td", {}, el("code", { text: str(p.name) }));
    if (p.required) nameCell.append(" ", el("span", { class: "schema__req", text: "required" }));
    const typeCell = el("td", {}, el("span", { class: "schema__type", text: p.schema ? typeLabel(p.schema, new Set()) : "string" }));
    const descCell = el("td");
    if (str(p.description)) descCell.append(el("span", { text: p.description }));
    if (p.schema) {
      const chips = constraintChips(effective(deref(p.schema, new Set()).schema, new Set()));
      if (chips) descCell.append(chips);
    }
    tbody.append(el("tr", {}, nameCell, el("td", { class: "params__in", text: str(p.in) }), typeCell, descCell));
  }
  table.append(tbody);
  return el("div", { class: "params-wrap" }, table);
}

function statusClass(code) {
  const c = String(code);
  if (c.startsWith("2")) return "status--ok";
  if (c.startsWith("3")) return "status--redirect";
  if (c.startsWith("4")) return "status--client";
  if (c.startsWith("5")) return "status--server";
  return "status--other";
}

const STATUS_TEXT = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Responses sharing the same headers/content (e.g. every 4xx -> Error) are shown once, under all their codes. */
function responsesList(responses) {
  const wrap = el("div", { class: "responses" });
  const entries = Object.entries(responses).sort(([a], [b]) => String(a).localeCompare(String(b)));
  const groups = [];
  for (const [code, raw] of entries) {
    const r = derefObject(raw);
    const hasContent = isObj(r.content) && Object.keys(r.content).length > 0;
    const key = JSON.stringify([r.content ?? null, r.headers ?? null]);
    const prev = groups.at(-1);
    // Only merge codes that carry a body; body-less responses each keep their own row.
    if (hasContent && prev && prev.key === key) prev.codes.push([code, r]);
    else groups.push({ key, codes: [[code, r]], r });
  }
  for (const g of groups) {
    const item = el("div", { class: "response" });
    const heads = el("ul", { class: "response__codes" });
    for (const [code, r] of g.codes) {
      const head = el("li", { class: "response__head" });
      head.append(el("span", { class: `status ${statusClass(code)}`, text: code }));
      // Elysia fills in "Response for status 200"; a standard reason phrase reads better.
      const generic = /^Response for status \d+$/i.test(str(r.description));
      const desc = (!generic && str(r.description)) || STATUS_TEXT[code] || str(r.description);
      if (desc) head.append(el("span", { class: "response__desc", text: desc }));
      heads.append(head);
    }
    item.append(heads);
    const r = g.r;
    if (isObj(r.headers) && Object.keys(r.headers).length) {
      const hl = el("p", { class: "response__headers" }, "Headers: ");
      Object.keys(r.headers).forEach((h, i) => {
        if (i) hl.append(", ");
        hl.append(el("code", { text: h }));
      });
      item.append(hl);
    }
    if (isObj(r.content) && Object.keys(r.content).length) item.append(contentBlocks(r.content, { generateExample: false }));
    wrap.append(item);
  }
  return wrap;
}

function renderOperation(method, path, op, pathItem) {
  const id = opId(method, path);
  const details = el("details", { class: "op", id });
  const summary = el("summary", { class: "op__summary" });
  summary.append(el("span", { class: `method method--${method}`, text: method.toUpperCase() }));
  summary.append(pathNode(path));
  if (str(op.summary)) summary.append(el("span", { class: "op__title", text: op.summary }));
  if (op.deprecated) summary.append(el("span", { class: "badge badge--warn", text: "deprecated" }));
  details.append(summary);

  const body = el("div", { class: "op__body" });
  if (str(op.description)) body.append(el("p", { class: "op__desc", text: op.description }));

  const params = [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
  // Operation-level parameters override path-level ones with the same name+in.
  const byKey = new Map();
  for (const p of params) {
    const d = derefObject(p);
    byKey.set(`${d.in}:${d.name}`, p);
  }
  if (byKey.size) body.append(section("Parameters", parametersTable([...byKey.values()])));

  if (op.requestBody) {
    const rb = derefObject(op.requestBody);
    const children = [];
    if (str(rb.description)) children.push(el("p", { class: "op__desc", text: rb.description }));
    if (rb.required) children.push(el("p", { class: "op__note", text: "A request body is required." }));
    if (isObj(rb.content)) children.push(contentBlocks(rb.content, { generateExample: true }));
    body.append(section("Request body", ...children));
  }

  if (isObj(op.responses) && Object.keys(op.responses).length) {
    body.append(section("Responses", responsesList(op.responses)));
  }
  const json = op.requestBody ? derefObject(op.requestBody).content?.["application/json"] : undefined;
  body.append(tryIt(method, path, op, [...byKey.values()].map(derefObject), isObj(json) ? tryExample(json) : undefined));
  details.append(body);

  const haystack = [method, path, op.summary, op.description, op.operationId, ...(op.tags || [])]
    .filter((x) => typeof x === "string")
    .join(" ")
    .toLowerCase();
  details.dataset.search = haystack;
  return details;
}

function render(spec) {
  SPEC = spec;
  const info = isObj(spec.info) ? spec.info : {};
  if (str(info.title)) {
    $("docs-title").textContent = `${info.title} API`.replace(/ API API$/, " API");
    document.title = `${$("docs-title").textContent} · ringlink`;
  }
  const meta = $("docs-meta");
  meta.replaceChildren();
  if (info.version !== undefined) meta.append(el("span", { class: "badge", text: `v${info.version}` }), " ");
  const ver = spec.openapi ? `OpenAPI ${spec.openapi}` : spec.swagger ? `Swagger ${spec.swagger}` : "";
  if (ver) meta.append(el("span", { class: "badge", text: ver }), " ");
  meta.append("Loaded from ", el("a", { href: SPEC_URL }, el("code", { text: SPEC_URL })));
  if (str(info.description)) {
    const d = $("docs-description");
    d.textContent = info.description;
    d.hidden = false;
  }

  // Group operations by their first tag, in the spec's tag order.
  const tagDocs = new Map();
  for (const t of Array.isArray(spec.tags) ? spec.tags : []) if (isObj(t) && str(t.name)) tagDocs.set(t.name, str(t.description));
  const groups = new Map([...tagDocs.keys()].map((k) => [k, []]));
  let count = 0;
  for (const [path, rawItem] of Object.entries(isObj(spec.paths) ? spec.paths : {})) {
    const pathItem = derefObject(rawItem);
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!isObj(op)) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === "string" ? op.tags[0] : "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(renderOperation(method, path, op, pathItem));
      count++;
    }
  }

  list.replaceChildren();
  for (const [tag, ops] of groups) {
    if (!ops.length) continue;
    const sec = el("section", { class: "tag-group", "aria-label": tag });
    const head = el("div", { class: "tag-group__head" });
    head.append(el("h2", { class: "tag-group__title", text: tag }));
    if (tagDocs.get(tag)) head.append(el("p", { class: "tag-group__desc", text: tagDocs.get(tag) }));
    sec.append(head, ...ops);
    list.append(sec);
  }

  if (count === 0) {
    statusBox.replaceChildren(el("p", { class: "card docs-empty", text: "The API description contains no endpoints." }));
    return;
  }
  statusBox.classList.add("visually-hidden");
  statusBox.replaceChildren(el("p", { text: `${count} endpoints loaded.` }));
  filterInput.disabled = false;
  toggleBtn.disabled = false;
  openFromHash();
}

// ---------------------------------------------------------------------------
// Filter / expand / hash

function visibleOps() {
  return [...list.querySelectorAll("details.op")].filter((d) => !d.hidden);
}

function updateToggleLabel() {
  const ops = visibleOps();
  const allOpen = ops.length > 0 && ops.every((d) => d.open);
  toggleBtn.textContent = allOpen ? "Collapse all" : "Expand all";
}

filterInput.addEventListener("input", () => {
  const terms = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const sec of list.querySelectorAll(".tag-group")) {
    let secShown = 0;
    for (const op of sec.querySelectorAll("details.op")) {
      const match = terms.every((t) => op.dataset.search.includes(t));
      op.hidden = !match;
      if (match) secShown++;
    }
    sec.hidden = secShown === 0;
    shown += secShown;
  }
  noMatch.hidden = shown !== 0;
  updateToggleLabel();
});

toggleBtn.addEventListener("click", () => {
  const ops = visibleOps();
  const open = !ops.every((d) => d.open);
  for (const d of ops) d.open = open;
  updateToggleLabel();
});

list.addEventListener("toggle", updateToggleLabel, true);

function openFromHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  const target = document.getElementById(id);
  if (target instanceof HTMLDetailsElement) {
    target.open = true;
    target.scrollIntoView({ block: "start" });
  }
}

window.addEventListener("hashchange", openFromHash);

// ---------------------------------------------------------------------------
// Load

async function load() {
  statusBox.classList.remove("visually-hidden");
  statusBox.replaceChildren(el("p", { class: "docs-loading" }, el("span", { class: "spinner", "aria-hidden": "true" }), " Loading API description…"));
  try {
    const res = await fetch(SPEC_URL, { headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(`The server answered HTTP ${res.status}.`);
    let spec;
    try {
      spec = await res.json();
    } catch {
      throw new Error("The document is not valid JSON.");
    }
    if (!isObj(spec)) throw new Error("The document is not an OpenAPI object.");
    try {
      render(spec);
    } catch (err) {
      console.error(err);
      throw new Error("The document could not be rendered.");
    }
  } catch (err) {
    const msg = err instanceof TypeError ? "Could not reach the server." : err instanceof Error ? err.message : String(err);
    const retry = el("button", { class: "btn btn--secondary btn--small", type: "button", text: "Try again" });
    retry.addEventListener("click", load);
    statusBox.replaceChildren(
      el(
        "div",
        { class: "alert alert--error docs-error", role: "alert" },
        el("p", {}, el("strong", { text: "Couldn’t load the API description. " }), msg),
        retry,
      ),
    );
  }
}

document.querySelector(".docs-intro")?.append(authPanel());
load();
