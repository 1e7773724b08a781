/**
 * Abuse protection at create and update time: a blocklisted domain is refused (422
 * blocked_domain), so is a host built to be mistaken for another (a brand's look-alike, mixed
 * scripts, a Cyrillic or Greek name that reads as Latin: 422 unsafe_url, judged by the host alone,
 * always on), and so is a URL the classifier labels `suspicious` with at least the configured
 * confidence (422 unsafe_url). The classifier runs in-process (one small ONNX model, loaded once
 * per process on first use). If the model cannot be loaded, creates are allowed
 * (fail open, logged) and loading is retried a minute later: the asynchronous classifier and the
 * blocklist still stand behind it, and a shortener that stops creating links because of an optional
 * model would be worse.
 *
 * Why the verdict stays synchronous (measured with bench/classifier.ts, batches of 64, one core):
 * of ~130 µs per URL, feature extraction took ~117 µs (n-gram strings, Unicode normalisation),
 * the model run ~15 µs and clearing its dense input ~7 µs. So the cost was ours, not the model's:
 * features.ts now hashes grams in place and skips normalising ASCII (~50 µs, same features), and
 * the verdict doubles as the link's category, so a create runs the model once instead of twice
 * (the background classifier used to classify every new link again). An asynchronous verdict
 * would not make a create cheaper on a busy server (the same work still runs, on the same cores)
 * and would need a quarantine page on the redirect path; batches are already ~24 URLs per run at
 * 64 connections, where a run's fixed cost (~40 µs) is small per URL.
 */
import { deceptiveHost } from "../classifier";
import { Unprocessable } from "../errors";
import type { DomainBlocklist } from "./domain-blocklist";
import { log } from "../log";

export interface Verdict {
  label: string;
  confidence: number;
}

export interface UrlSafetyOptions {
  blocklist: DomainBlocklist | null;
  /** suspicious at or above this confidence is refused; null switches the classifier check off */
  threshold: number | null;
  /** loads the model; called once, again after a failure (after RETRY_MS) */
  loadClassifier: () => Promise<Classifier>;
}

const RETRY_MS = 60_000;
export const SUSPICIOUS = "suspicious";

type Classifier = { classify(urls: readonly string[]): Promise<Verdict[]> };

export class UrlSafety {
  private model: Promise<Classifier> | null = null;
  private queued: Array<{ urls: readonly string[]; resolve: (verdicts: Verdict[]) => void; reject: (error: unknown) => void }> = [];
  private failedAt = 0;
  /** refusals and fail-open passes, for tests and logs */
  readonly stats = { blocked: 0, deceptive: 0, unsafe: 0, unclassified: 0 };

  constructor(private readonly opts: UrlSafetyOptions) {}

  get threshold(): number | null {
    return this.opts.threshold;
  }

  /** The domain blocklist, for the redirect path's per-version re-check of cached links; null without BLOCKLIST_FILE. */
  get blocklist(): DomainBlocklist | null {
    return this.opts.blocklist;
  }

  /** The blocklist entry covering the URL's host, or null (cheap: used on cache fills too). */
  blockedBy(url: string): string | null {
    return this.opts.blocklist?.blockedBy(url) ?? null;
  }

  /** Whether an asynchronous verdict should take a link down. */
  isUnsafe(verdict: Verdict): boolean {
    return this.opts.threshold !== null && verdict.label === SUSPICIOUS && verdict.confidence >= this.opts.threshold;
  }

  /**
   * `urls` are the normalised targets; `typed` the same URLs as submitted (host letter case
   * matters to the look-alike check: URL parsing turns `paypaI` into `paypai`). Answers the
   * classifier's verdicts, one per URL, so a create can store its link's category at once instead
   * of classifying the URL a second time in the background; null when the model did not run.
   */
  async assertSafe(urls: readonly string[], typed: readonly string[] = urls): Promise<Verdict[] | null> {
    urls.forEach((url, i) => {
      const entry = this.blockedBy(url);
      if (entry !== null) {
        this.stats.blocked++;
        throw new Unprocessable("blocked_domain", `links to ${entry} are not allowed here`);
      }
      const deceptive = deceptiveHost(url, typed[i] ?? url);
      if (deceptive !== null) {
        this.stats.deceptive++;
        throw new Unprocessable("unsafe_url", `url looks unsafe: its host ${deceptive}`);
      }
    });
    if (this.opts.threshold === null || urls.length === 0) return null;
    const verdicts = await this.classify(urls);
    if (verdicts === null) return null;
    for (const v of verdicts) {
      if (this.isUnsafe(v)) {
        this.stats.unsafe++;
        throw new Unprocessable("unsafe_url", `url looks unsafe (classified ${v.label} with confidence ${v.confidence.toFixed(2)})`);
      }
    }
    return verdicts;
  }

  /** Verdicts for the URLs, or null when the model is unavailable (fail open). */
  async classify(urls: readonly string[]): Promise<Verdict[] | null> {
    if (this.model === null) {
      if (Date.now() - this.failedAt < RETRY_MS) {
        this.stats.unclassified += urls.length;
        return null;
      }
      this.model = this.opts.loadClassifier();
    }
    try {
      return await this.batched(await this.model, urls);
    } catch (error) {
      this.model = null;
      this.failedAt = Date.now();
      this.stats.unclassified += urls.length;
      log.warn("unsafe-url check skipped: classifier unavailable", { error });
      return null;
    }
  }

  /**
   * Creates that arrive together (one socket read often holds many) share one model run: a run has
   * a fixed cost, and batches of 64 classify ~1.5x as many URLs per second as batches of one.
   * Costs one turn of the event loop.
   */
  private batched(model: Classifier, urls: readonly string[]): Promise<Verdict[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ urls, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => void this.runQueued(model));
    });
  }

  private async runQueued(model: Classifier): Promise<void> {
    const jobs = this.queued.splice(0);
    try {
      const verdicts = await model.classify(jobs.flatMap((job) => job.urls));
      let at = 0;
      for (const job of jobs) {
        job.resolve(verdicts.slice(at, at + job.urls.length));
        at += job.urls.length;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }

  close(): void {
    this.opts.blocklist?.close();
  }
}
