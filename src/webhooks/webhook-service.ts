/**
 * Managing webhooks: who may (a key with `manage` for its own links, admins for every link),
 * what a webhook may point at (the links' target rules), and its secret (made here, shown once).
 * Knows nothing of HTTP.
 */
import { randomBytes } from "node:crypto";
import { isEventTopic, type EventTopic } from "../events";
import { Forbidden, InvalidInput, NotFound, Unprocessable } from "../errors";
import { requireScope, seesAllLinks, type Principal } from "../keys";
import { normalizeTargetUrl, privateTargetReason, type TargetUrlPolicy } from "../links";
import { newWebhookSecret } from "./webhook-signature";
import type { AttemptRecord, WebhookRecord, WebhookStore } from "./webhook-store";

export interface WebhookInput {
  url: unknown;
  events: unknown;
  clickSample?: unknown;
}

export interface WebhookServiceOptions {
  store: WebhookStore;
  policy: TargetUrlPolicy;
  /** WEBHOOK_ALLOW_LOOPBACK: 127.0.0.0/8, ::1 and localhost pass (tests, a receiver on the same machine) */
  allowLoopback: boolean;
  /** a webhook was added or removed (the in-process fan-out and dispatcher look again) */
  onChange?: () => void;
  now?: () => number;
}

/** Enough for any integration; a bound so one key cannot make every event fan out without end. */
export const MAX_WEBHOOKS_PER_OWNER = 20;
export const DELIVERY_LOG_SIZE = 100;

const isLoopbackHost = (host: string): boolean => host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

function hostOf(raw: unknown): string {
  try {
    return typeof raw === "string" ? new URL(raw.trim()).hostname.toLowerCase() : "";
  } catch {
    return "";
  }
}

export class WebhookService {
  private readonly now: () => number;

  constructor(private readonly opts: WebhookServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The URL as links would take it; loopback too when the switch says so. */
  validateUrl(raw: unknown): string {
    const { policy } = this.opts;
    // With the switch, a receiver beside a ringlink served on loopback is the usual local setup,
    // not a loop: the own-host rule gives way for loopback hosts too.
    const loopbackAllowed = this.opts.allowLoopback && isLoopbackHost(hostOf(raw));
    const url = normalizeTargetUrl(raw, { ...policy, ownHostname: loopbackAllowed ? "" : policy.ownHostname, blockPrivateTargets: false });
    const host = url.hostname.toLowerCase();
    if (policy.blockPrivateTargets && !loopbackAllowed) {
      const reason = privateTargetReason(host.replace(/\.$/, ""));
      if (reason) throw new InvalidInput("private_target", `url points at ${reason}, which is not allowed (WEBHOOK_ALLOW_LOOPBACK allows loopback)`);
    }
    return url.href;
  }

  private static events(raw: unknown): EventTopic[] {
    if (!Array.isArray(raw) || raw.length === 0) throw new InvalidInput("invalid_events", "events must be a non-empty list of event types");
    const unknown = raw.find((e) => !isEventTopic(e));
    if (unknown !== undefined) {
      throw new InvalidInput(
        "invalid_events",
        `unknown event '${String(unknown).slice(0, 40)}' (link.created, link.updated, link.deleted, link.disabled, link.clicked)`,
      );
    }
    return [...new Set(raw as EventTopic[])];
  }

  private static sample(raw: unknown): number {
    if (raw === undefined || raw === null) return 1;
    if (typeof raw !== "number" || !(raw > 0 && raw <= 1)) throw new InvalidInput("invalid_click_sample", "clickSample must be a number above 0 and at most 1");
    return raw;
  }

  private static manager(principal: Principal | null): Principal {
    return requireScope(principal, "manage", "managing webhooks");
  }

  /** Creates a webhook; the answer is the only time its secret is shown. */
  async create(principal: Principal | null, input: WebhookInput): Promise<WebhookRecord> {
    const who = WebhookService.manager(principal);
    const url = this.validateUrl(input.url);
    const events = WebhookService.events(input.events);
    const clickSample = WebhookService.sample(input.clickSample);
    const ownerKey = seesAllLinks(who) ? null : who.id;
    if ((await this.opts.store.listWebhooks(ownerKey)).length >= MAX_WEBHOOKS_PER_OWNER) {
      throw new Unprocessable("too_many_webhooks", `at most ${MAX_WEBHOOKS_PER_OWNER} webhooks per key; delete one first`);
    }
    const webhook: WebhookRecord = {
      id: `wh_${randomBytes(12).toString("base64url")}`,
      ownerKey,
      url,
      events,
      clickSample,
      secret: newWebhookSecret(),
      createdAt: this.now(),
    };
    await this.opts.store.insertWebhook(webhook);
    this.opts.onChange?.();
    return webhook;
  }

  /** A key's own webhooks; every webhook for an admin. */
  async list(principal: Principal | null): Promise<WebhookRecord[]> {
    const who = WebhookService.manager(principal);
    return this.opts.store.listWebhooks(seesAllLinks(who) ? undefined : who.id);
  }

  async get(principal: Principal | null, id: string): Promise<WebhookRecord> {
    const who = WebhookService.manager(principal);
    const webhook = await this.opts.store.findWebhook(id);
    if (!webhook) throw new NotFound(`no webhook '${id}'`);
    if (!seesAllLinks(who) && webhook.ownerKey !== who.id) throw new Forbidden("this webhook belongs to another key");
    return webhook;
  }

  async remove(principal: Principal | null, id: string): Promise<void> {
    await this.get(principal, id);
    await this.opts.store.deleteWebhook(id);
    this.opts.onChange?.();
  }

  /** The webhook's newest attempts (newest first) and how many deliveries wait. */
  async deliveries(principal: Principal | null, id: string, limit = DELIVERY_LOG_SIZE): Promise<{ attempts: AttemptRecord[]; pending: number }> {
    await this.get(principal, id);
    const [attempts, pending] = await Promise.all([this.opts.store.attempts(id, Math.min(limit, DELIVERY_LOG_SIZE)), this.opts.store.pendingCounts()]);
    return { attempts, pending: pending.get(id) ?? 0 };
  }
}
