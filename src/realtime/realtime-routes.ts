/**
 * GET /ws: the live stream, on Bun's native WebSockets through Elysia's `.ws()`. The upgrade goes
 * through the app like any route (so hooks, the route table and the static-route binding in
 * server/http-server.ts see it); the socket callbacks are Bun's, dispatched by Elysia's `websocket`
 * handler object that the server passes to Bun.serve. Frames are strings built by the hub; clients
 * have nothing to say, so incoming messages are ignored.
 *
 * Who may connect is not decided here: `watchAccess` (src/access) turns the handshake into a
 * principal or a refusal (answered as the JSON error envelope, no upgrade), and the principal
 * decides the audience, which decides what the hub sends (audience.ts).
 */
import { Elysia } from "elysia";
import type { WatchAccess } from "../access";
import { jsonError } from "../errors";
import { ErrorResponse, alsoAnswers } from "../http";
import { audienceOf, type Audience } from "./audience";
import type { ClientSocket } from "./client-queue";
import type { Realtime } from "./realtime-service";

/** Close code for "the hub is full, come back later" (RFC 6455 1013, Try Again Later). */
const TRY_AGAIN_LATER = 1013;
/** Close code for "your credential no longer allows this" (4000-4999 are the application's; 4401 reads as HTTP 401). */
export const CREDENTIAL_ENDED = 4401;
/**
 * How often open sockets' credentials are checked again. The key cache (5 s) bounds how stale one
 * check can be; a check is a cache hit almost always, so once a second costs little per socket.
 */
const RECHECK_MS = 1_000;

/**
 * Elysia hands out a fresh wrapper per callback; `raw` is Bun's ServerWebSocket, the same object for
 * the life of the connection, so it is the hub's key. Elysia's copy of the socket type predates
 * `getBufferedAmount`, which Bun 1.4's socket has.
 */
type ClosableSocket = ClientSocket & { close(code?: number, reason?: string): void };
const socketOf = (ws: { raw: unknown }) => ws.raw as ClosableSocket;

export function realtimeRoutes(realtime: Realtime, watchAccess: WatchAccess) {
  // The handshake's decision, found again by its request when the socket opens.
  const audiences = new WeakMap<Request, Audience>();
  const rechecks = new WeakMap<Request, () => Promise<boolean>>();
  // Sockets whose credential is checked again while they are open (anonymous watchers have none).
  const watched = new Map<ClosableSocket, () => Promise<boolean>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  const recheckAll = async () => {
    for (const [socket, stillAllowed] of watched) {
      if (await stillAllowed().catch(() => true)) continue;
      watched.delete(socket);
      socket.close(CREDENTIAL_ENDED, "the credential of this stream was revoked or has expired");
    }
    if (watched.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
  const watch = (socket: ClosableSocket, stillAllowed: () => Promise<boolean>) => {
    watched.set(socket, stillAllowed);
    if (timer === null) {
      timer = setInterval(recheckAll, RECHECK_MS);
      timer.unref?.();
    }
  };
  return (
    new Elysia({ name: "realtime" })
      .ws("/ws", {
        // OpenAPI has no WebSocket operation; the GET below documents the endpoint instead.
        detail: { hide: true },
        async upgrade({ request, set, server }) {
          const decision = await watchAccess(request, server);
          if (!decision.allowed) throw decision.refusal;
          if (decision.protocol !== null) set.headers["sec-websocket-protocol"] = decision.protocol;
          audiences.set(request, audienceOf(decision.principal));
          if (decision.recheck !== null) rechecks.set(request, decision.recheck);
        },
        open(ws) {
          const socket = socketOf(ws);
          if (!realtime.hub.open(socket, () => realtime.snapshot(), audiences.get(ws.data.request) ?? "viewer")) {
            socket.close(TRY_AGAIN_LATER, "too many dashboard clients on this process");
            return;
          }
          realtime.watched();
          const recheck = rechecks.get(ws.data.request);
          if (recheck !== undefined) watch(socket, recheck);
        },
        drain(ws) {
          realtime.hub.drain(socketOf(ws));
        },
        close(ws) {
          watched.delete(socketOf(ws));
          realtime.hub.close(socketOf(ws));
        },
        message() {},
      })
      // A plain GET (a browser tab, curl) would otherwise fall through to /:code and answer 404.
      .get("/ws", () => jsonError(426, "upgrade_required", "/ws is a WebSocket endpoint: connect with a WebSocket client", { upgrade: "websocket" }), {
        detail: {
          summary:
            "Live event stream (WebSocket upgrade): a snapshot, then sampled events and per-second aggregates; a plain GET answers 426. " +
            "Once an ADMIN_TOKEN or an API key exists it needs one (stats scope): Authorization: Bearer, or the subprotocols ringlink.v1 + ringlink.bearer.<token>.",
          tags: ["realtime"],
          security: [{}, { bearer: [] }],
          ...alsoAnswers({
            101: { description: "switched to the WebSocket protocol" },
            426: { description: "a plain GET: upgrade_required", content: { "application/json": { schema: ErrorResponse } } },
          }),
        },
      })
  );
}
