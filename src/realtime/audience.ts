/**
 * Who watches decides what the stream shows. Admins (ADMIN_TOKEN, keys with the admin scope) are
 * operators and see everything. Everyone else (a key with the stats scope, or anybody while no
 * credentials exist) is a viewer and sees the cluster without what is not theirs to read:
 *
 * - no target of a key's link or a password link (LinkEvent.target_private; a write event that
 *   does not say otherwise counts as private), since the API shows those to their key and admins
 *   only. Owners are not told apart: a key watching sees its own private targets hidden too.
 * - no process ids (the process's name, node, is enough to tell processes apart).
 * The store's name in events never holds a path (LinkStore.label), for anyone.
 */
import { seesAllLinks, type Principal } from "../keys";
import type { ClientEvent, NodeView, ServerFrame } from "./wire";

export type Audience = "operator" | "viewer";

export function audienceOf(principal: Principal | null): Audience {
  return seesAllLinks(principal) ? "operator" : "viewer";
}

function eventForViewer(e: ClientEvent): ClientEvent {
  if (e.url === undefined || e.target_private === false) return e;
  const { url: _url, ...rest } = e;
  return rest;
}

function nodeForViewer(n: NodeView): NodeView {
  const { pid: _pid, ...rest } = n;
  return rest;
}

/** The frame as this audience receives it. */
export function frameFor(audience: Audience, frame: ServerFrame): ServerFrame {
  if (audience === "operator") return frame;
  switch (frame.kind) {
    case "events":
      return { ...frame, events: frame.events.map(eventForViewer) };
    case "tick":
      return { ...frame, nodes: frame.nodes.map(nodeForViewer) };
    case "snapshot":
      return { ...frame, events: frame.events.map(eventForViewer), nodes: frame.nodes.map(nodeForViewer) };
    case "dropped":
      return frame;
  }
}
