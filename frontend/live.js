// The connection to GET /ws: reconnects with capped, jittered exponential backoff, says what state
// it is in, and hands frames to whoever listens. The server sends a snapshot first on every
// connection, so a reconnect needs no bookkeeping here: listeners rebuild from the snapshot.
// A signed-in page needs nothing more: the browser sends the session cookie with the handshake.
// When the server closes with 4401 (the session's key was revoked, or it expired) the stream
// stops and says so ("ended") instead of retrying with a credential that can no longer work.

const PROTOCOL = "ringlink.v1";
/** The server's close code for "this credential no longer allows watching". */
const CREDENTIAL_ENDED = 4401;

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Without a frame for this long (the server ticks every second) the connection is presumed dead. */
const SILENCE_MS = 10_000;

export class LiveStream {
  constructor(path = "/ws") {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.listeners = { snapshot: [], events: [], tick: [], dropped: [], state: [], ended: [] };
    this.stopped = false;
    this.attempt = 0;
    this.ws = null;
    this.retryTimer = 0;
    this.watchdog = 0;
    this.state = "connecting";
    addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state !== "live" && !this.stopped) this.reconnectNow();
    });
  }

  on(kind, fn) {
    this.listeners[kind].push(fn);
    return this;
  }

  emit(kind, payload) {
    for (const fn of this.listeners[kind]) {
      try {
        fn(payload);
      } catch (err) {
        console.error(err);
      }
    }
  }

  setState(state, detail = {}) {
    this.state = state;
    this.emit("state", { state, ...detail });
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting", { attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url, [PROTOCOL]);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState("live");
      this.feedWatchdog();
    };
    ws.onmessage = (e) => {
      this.feedWatchdog();
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame && typeof frame.kind === "string" && this.listeners[frame.kind]) this.emit(frame.kind, frame);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.watchdog);
      if (e.code === CREDENTIAL_ENDED) {
        this.stop();
        this.emit("ended", { reason: e.reason });
        return;
      }
      this.scheduleRetry(e.code === 1013 ? "server busy" : "");
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry
    };
  }

  feedWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.ws?.close(), SILENCE_MS);
  }

  scheduleRetry(reason = "") {
    this.attempt++;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.min(this.attempt - 1, 10));
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2)); // jitter: clients do not return in lockstep
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setState(offline ? "offline" : "waiting", { retryAt: Date.now() + delay, attempt: this.attempt, reason });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Closes the stream and stays closed until connect() (signed out). */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.setState("signed-out");
  }

  reconnectNow() {
    if (this.ws || this.stopped) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }
}
