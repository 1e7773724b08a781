/**
 * From events to deliveries: which webhooks want an event (its topic, its link's owner, the
 * click sample), and the delivery rows to queue for them. Runs in a consumer of the event stream
 * (the serving process's bus in embedded mode, `ringlink worker webhooks` on Kafka), never on the
 * request path. The queue is the store, so what is accepted here survives a restart.
 */
import type { EventTopic, LinkEvent } from "../events";
import type { ApiKeyStore } from "../keys";
import { LruCache } from "../lru";
import type { NewDelivery, WebhookRecord, WebhookStore } from "./webhook-store";

export interface WebhookFanoutOptions {
  store: WebhookStore;
  /** the owner (API key id, null = anonymous) of a link, or undefined when there is no such link */
  ownerOf(code: string): Promise<string | null | undefined>;
  publicBaseUrl: string;
  /**
   * Whether an API key still counts (neither revoked nor expired): a key's webhooks fall silent
   * with it. Absent = every key counts.
   */
  keyActive?(id: string): Promise<boolean>;
  /** how long the list of webhooks is reused before it is read again */
  refreshMs?: number;
  now?: () => number;
}

/** A key that may still own webhooks: it exists, is not revoked and has not expired. */
export async function keyIsActive(keys: ApiKeyStore, id: string, now = Date.now()): Promise<boolean> {
  const key = await keys.findKey(id);
  return key !== null && key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}

/** The body a receiver gets (Standard Webhooks: type, timestamp, data). */
export function payloadOf(topic: EventTopic, event: LinkEvent, publicBaseUrl: string): string {
  const data: Record<string, unknown> = { code: event.short_code, short_url: `${publicBaseUrl}/${event.short_code}`, event_id: event.event_id };
  if (topic === "link.clicked") {
    data.referrer = event.referrer ?? null;
    data.user_agent = event.user_agent ?? null;
    data.country = event.country ?? null;
    data.visitor = event.visitor ?? null;
  } else {
    data.url = event.url ?? null;
    if (topic === "link.disabled") data.reason = event.disabled_reason ?? "manual";
  }
  return JSON.stringify({ type: topic, timestamp: new Date(event.ts).toISOString(), data });
}

/** The same event gets the same answer for a webhook however often it is seen (a redelivered batch). */
export function sampled(eventId: string, webhookId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  return Bun.hash.murmur32v3(`${webhookId}/${eventId}`) / 0x1_0000_0000 < ratio;
}

const OWNER_TTL_MS = 24 * 3_600_000;

export class WebhookFanout {
  private webhooks: WebhookRecord[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;
  /** a link's owner never changes, so a cached answer stays true */
  private readonly owners = new LruCache<string, string | null>(50_000);
  private counter = 0;
  private readonly now: () => number;
  readonly stats = { queued: 0, skipped: 0 };

  constructor(private readonly opts: WebhookFanoutOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Forget the cached list (a webhook was created or deleted in this process). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private async current(): Promise<WebhookRecord[]> {
    if (this.now() - this.loadedAt < (this.opts.refreshMs ?? 2_000)) return this.webhooks;
    this.loading ??= this.opts.store
      .listWebhooks()
      .then(async (list) => {
        const { keyActive } = this.opts;
        if (keyActive) {
          const owners = [...new Set(list.flatMap((w) => (w.ownerKey === null ? [] : [w.ownerKey])))];
          const active = new Set((await Promise.all(owners.map(async (id) => ((await keyActive(id)) ? id : null)))).filter((id) => id !== null));
          list = list.filter((w) => w.ownerKey === null || active.has(w.ownerKey));
        }
        this.webhooks = list;
        this.loadedAt = this.now();
      })
      .finally(() => {
        this.loading = null;
      });
    await this.loading;
    return this.webhooks;
  }

  private async owner(code: string): Promise<string | null | undefined> {
    const cached = this.owners.get(code);
    if (cached !== undefined) return cached;
    const owner = await this.opts.ownerOf(code);
    if (owner !== undefined) this.owners.set(code, owner, OWNER_TTL_MS);
    return owner;
  }

  /** The deliveries these events make (not yet stored). */
  async deliveriesFor(topic: EventTopic, events: readonly LinkEvent[]): Promise<NewDelivery[]> {
    const hooks = (await this.current()).filter((w) => w.events.includes(topic));
    if (hooks.length === 0 || events.length === 0) return [];
    const keyed = hooks.some((w) => w.ownerKey !== null);
    const out: NewDelivery[] = [];
    const enqueuedAt = this.now();
    for (const event of events) {
      // A click on an unknown code, or one that failed, is no link's event.
      if (topic === "link.clicked" && event.status !== "OK") continue;
      const owner = keyed ? await this.owner(event.short_code) : null;
      let payload: string | null = null;
      for (const w of hooks) {
        if (w.ownerKey !== null && w.ownerKey !== owner) continue;
        // A webhook hears what happens after it was made (a worker reading a topic from its start included).
        if (event.ts < w.createdAt) continue;
        if (topic === "link.clicked" && !sampled(event.event_id, w.id, w.clickSample)) {
          this.stats.skipped++;
          continue;
        }
        payload ??= payloadOf(topic, event, this.opts.publicBaseUrl);
        out.push({
          webhookId: w.id,
          eventId: event.event_id,
          code: event.short_code,
          topic,
          // Event time first: a link's events keep their order even when topics arrive apart.
          seq: event.ts * 1000 + (this.counter++ % 1000),
          payload,
          enqueuedAt,
        });
      }
    }
    return out;
  }

  /** Queues the deliveries of these events; resolves once they are stored. */
  async handle(topic: EventTopic, events: readonly LinkEvent[]): Promise<number> {
    const deliveries = await this.deliveriesFor(topic, events);
    await this.opts.store.enqueue(deliveries);
    this.stats.queued += deliveries.length;
    return deliveries.length;
  }
}
