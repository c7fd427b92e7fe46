// The durable push queue: every message is in SQLite before enqueue returns; each callback URL sends its
// messages one at a time in the order they were queued (so each device's order is kept). A 2xx answer delivers;
// no answer in 15 s, a connection or TLS error, or 501/502/503/504 fails: the message stays at the head and is
// retried every 30 s, for at most 10 minutes. After 10 failed retries the URL is invalid: its queue is dropped and
// counted, new messages are dropped too, and the URL is probed every minute until it answers again.
import type { Clock, TimerHandle } from '../clock.js';
import type { PushUrlState } from '../contract/push.js';
import type { Logger } from '../log/logger.js';
import type { PostOutcome, PushPoster } from './push-http.js';
import type { MessageRow, PushStore, UrlRow } from './push-store.js';

export const RETRY_INTERVAL_MS = 30_000;
export const MESSAGE_WINDOW_MS = 10 * 60_000;
export const MAX_FAILED_RETRIES = 10;
export const PROBE_INTERVAL_MS = 60_000;
const HEAD_BATCH = 256;
/** Messages of different devices posted at once to one URL; each device's messages still go one at a time. */
export const MAX_IN_FLIGHT = 8;

/** One message for a callback URL (subscriptions, command status callbacks). */
export interface PushMessage {
  url: string;
  /** Serialised as the JSON body of the POST. */
  body: unknown;
  /** Shown with the delivery (a command status callback may name its own kind, e.g. `commandStatus`). */
  notifyType: string;
  deviceId?: string | undefined;
  requestId?: string | undefined;
}

export type EnqueueResult = { accepted: true; messageId: number } | { accepted: false; reason: string };

export type PushUrlChange = 'state' | 'delivery';

interface UrlRuntime {
  /** Messages being posted now, by id, with their device key. */
  inFlight: Map<number, string>;
  /** The retry wait or the next probe. */
  timer: TimerHandle | undefined;
  probing: boolean;
  /** The oldest queued messages (in flight ones included), loaded from SQLite a batch at a time. */
  window: MessageRow[];
  depth: number;
  nextProbeAt: number | undefined;
  /** After a failure one message goes at a time, until one gets through. */
  retrying: boolean;
  invalid: boolean;
  /** Messages sent together fail together: one failed round counts as one failed retry. */
  round: number;
  failedRound: number;
}

const isFailureStatus = (status: number) => status >= 501 && status <= 504;
const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

export class PushDelivery {
  private readonly runtimes = new Map<string, UrlRuntime>();
  private stopped = true;

  constructor(
    private readonly store: PushStore,
    private readonly clock: Clock,
    private readonly poster: PushPoster,
    private readonly onChange: (url: string, change: PushUrlChange) => void = () => {},
    private readonly logger?: Logger,
  ) {}

  /** Resumes every queue left by the last run and the probes of invalid URLs. */
  start(): void {
    this.stopped = false;
    const depths = this.store.depths();
    for (const row of this.store.urls()) {
      const rt = this.runtime(row.url);
      rt.depth = depths.get(row.url) ?? 0;
      rt.invalid = row.state === 'invalid';
      if (rt.invalid) this.scheduleProbe(row.url, 0);
      else if (rt.depth > 0) this.kick(row.url);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const rt of this.runtimes.values()) rt.timer?.cancel();
    this.runtimes.clear();
    this.poster.reset();
  }

  /** Queues one message durably (committed when this returns); refused while the URL is invalid. */
  enqueue(message: PushMessage): EnqueueResult {
    const row = this.store.touchUrl(message.url);
    if (row.state === 'invalid') {
      this.store.saveUrl({ ...row, dropped: row.dropped + 1 });
      return { accepted: false, reason: `${message.url} is invalid (it failed 10 retries); it is being probed` };
    }
    const body = JSON.stringify(message.body);
    const id = this.store.enqueue(
      message.url,
      message.notifyType,
      message.deviceId ?? null,
      message.requestId ?? null,
      body,
      this.clock.now(),
    );
    this.runtime(message.url).depth++;
    if (!this.stopped) queueMicrotask(() => this.kick(message.url));
    return { accepted: true, messageId: id };
  }

  state(url: string): PushUrlState {
    const row = this.store.url(url) ?? this.emptyRow(url);
    const rt = this.runtimes.get(url);
    return {
      url,
      state: row.state,
      queueDepth: rt?.depth ?? 0,
      delivered: row.delivered,
      dropped: row.dropped,
      failures: row.failures,
      ...(row.last_error !== null ? { lastError: row.last_error } : {}),
      ...(row.last_error_at !== null ? { lastErrorAt: iso(row.last_error_at) } : {}),
      ...(row.last_success_at !== null ? { lastSuccessAt: iso(row.last_success_at) } : {}),
      ...(row.state === 'invalid' && rt?.nextProbeAt !== undefined ? { nextProbeAt: iso(rt.nextProbeAt) } : {}),
    };
  }

  /** "Retry now": the next queued message goes out at once, or a probe while the URL is invalid. */
  retryNow(url: string): PushUrlState {
    const row = this.store.touchUrl(url);
    const rt = this.runtime(url);
    if (rt.inFlight.size === 0 && !rt.probing) {
      rt.timer?.cancel();
      rt.timer = undefined;
      if (row.state === 'invalid') this.scheduleProbe(url, 0);
      else {
        rt.round++;
        this.kick(url);
      }
    }
    return this.state(url);
  }

  private emptyRow(url: string): UrlRow {
    return {
      url,
      state: 'ok',
      failures: 0,
      last_error: null,
      last_error_at: null,
      last_success_at: null,
      delivered: 0,
      dropped: 0,
    };
  }

  private runtime(url: string): UrlRuntime {
    let rt = this.runtimes.get(url);
    if (!rt) {
      rt = {
        inFlight: new Map(),
        timer: undefined,
        probing: false,
        window: [],
        depth: 0,
        nextProbeAt: undefined,
        retrying: false,
        invalid: false,
        round: 0,
        failedRound: -1,
      };
      this.runtimes.set(url, rt);
    }
    return rt;
  }

  private kick(url: string): void {
    const rt = this.runtime(url);
    if (this.stopped || rt.timer || rt.probing || rt.invalid) return;
    const limit = rt.retrying ? 1 : MAX_IN_FLIGHT;
    if (rt.inFlight.size >= limit) return;
    if (rt.window.length - rt.inFlight.size < limit && rt.depth > rt.window.length)
      rt.window = this.store.head(url, HEAD_BATCH);
    // The first queued message of each device may go; a device's later messages wait for it.
    const seen = new Set<string>();
    for (const message of [...rt.window]) {
      const key = message.device_id ?? `#${message.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (rt.inFlight.has(message.id)) continue;
      if (message.first_failed_at !== null && this.clock.now() - message.first_failed_at >= MESSAGE_WINDOW_MS) {
        this.finish(url, rt, message, 'dropped', { error: 'not delivered within 10 minutes' });
        seen.delete(key);
        continue;
      }
      this.send(url, rt, message, key);
      if (rt.inFlight.size >= limit) break;
    }
  }

  private send(url: string, rt: UrlRuntime, message: MessageRow, key: string): void {
    rt.inFlight.set(message.id, key);
    const round = rt.round;
    void this.poster.post(url, message.body).then((outcome) => {
      rt.inFlight.delete(message.id);
      if (this.stopped || this.runtimes.get(url) !== rt || rt.invalid) return;
      if (outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300) {
        rt.retrying = false;
        this.finish(url, rt, message, 'delivered', outcome);
      } else if (outcome.kind === 'answer' && !isFailureStatus(outcome.status)) {
        // The server answered and refused this message (400, 404, 500 …): retrying would not change its mind.
        rt.retrying = false;
        this.finish(url, rt, message, 'rejected', { ...outcome, error: `answered ${outcome.status}` });
      } else this.failed(url, rt, message, outcome, round);
      this.kick(url);
    });
  }

  private finish(
    url: string,
    rt: UrlRuntime,
    message: MessageRow,
    outcome: 'delivered' | 'rejected' | 'dropped',
    detail: { status?: number; latencyMs?: number; error?: string },
  ): void {
    const now = this.clock.now();
    const row = this.store.url(url) ?? this.emptyRow(url);
    const stateBefore = row.state;
    this.store.db.transaction(() => {
      this.store.remove(message.id);
      this.store.recordDelivery(this.deliveryOf(url, message, outcome, now, detail));
      if (outcome === 'dropped') this.store.saveUrl({ ...row, dropped: row.dropped + 1 });
      else
        this.store.saveUrl({
          ...row,
          state: 'ok',
          failures: 0,
          ...(outcome === 'delivered'
            ? { delivered: row.delivered + 1, last_success_at: now }
            : { last_error: detail.error ?? null, last_error_at: now }),
        });
    })();
    rt.window = rt.window.filter((m) => m.id !== message.id);
    rt.depth = Math.max(0, rt.depth - 1);
    this.onChange(url, stateBefore === 'ok' ? 'delivery' : 'state');
  }

  private failed(url: string, rt: UrlRuntime, message: MessageRow, outcome: PostOutcome, round: number) {
    const now = this.clock.now();
    const error = outcome.kind === 'answer' ? `answered ${outcome.status}` : outcome.error;
    const row = this.store.url(url) ?? this.emptyRow(url);
    const counts = rt.failedRound !== round;
    rt.failedRound = round;
    rt.retrying = true;
    const failures = row.failures + (counts ? 1 : 0);
    const invalid = failures > MAX_FAILED_RETRIES;
    let dropped = 0;
    this.store.db.transaction(() => {
      this.store.markFailed(message.id, now);
      this.store.recordDelivery(
        this.deliveryOf(url, message, 'failed', now, {
          ...(outcome.kind === 'answer' ? { status: outcome.status } : {}),
          latencyMs: outcome.latencyMs,
          error,
        }),
      );
      if (invalid) dropped = this.store.dropAll(url);
      this.store.saveUrl({
        ...row,
        state: invalid ? 'invalid' : 'failing',
        failures,
        last_error: error,
        last_error_at: now,
        dropped: row.dropped + dropped,
      });
    })();
    for (const m of [message, ...rt.window.filter((w) => w.id === message.id)]) {
      m.attempts++;
      m.first_failed_at ??= now;
    }
    if (invalid) {
      rt.invalid = true;
      rt.window = [];
      rt.depth = 0;
      this.logger?.warn(
        `push URL ${url} is invalid after ${MAX_FAILED_RETRIES} failed retries (${error}); dropped ${dropped} message(s), probing it`,
      );
      this.scheduleProbe(url, PROBE_INTERVAL_MS);
    } else if (!rt.timer && round === rt.round) {
      // A late failure of an earlier round schedules nothing: its round's retry is due, and kick sends it.
      rt.timer = this.clock.setTimeout(() => {
        rt.timer = undefined;
        rt.round++;
        this.kick(url);
      }, RETRY_INTERVAL_MS);
    }
    this.onChange(url, 'state');
  }

  private scheduleProbe(url: string, delayMs: number): void {
    const rt = this.runtime(url);
    rt.timer?.cancel();
    rt.nextProbeAt = this.clock.now() + delayMs;
    rt.timer = this.clock.setTimeout(() => {
      rt.timer = undefined;
      rt.probing = true;
      void this.probe(url, rt).finally(() => (rt.probing = false));
    }, delayMs);
  }

  private async probe(url: string, rt: UrlRuntime): Promise<void> {
    const body = '{}';
    const outcome = await this.poster.post(url, body, { 'x-iotwb-probe': '1' });
    if (this.stopped || this.runtimes.get(url) !== rt) return;
    const now = this.clock.now();
    const answered = outcome.kind === 'answer' && !isFailureStatus(outcome.status);
    const row = this.store.url(url) ?? this.emptyRow(url);
    const error = outcome.kind === 'answer' ? `answered ${outcome.status}` : outcome.error;
    this.store.recordDelivery({
      url,
      at: now,
      notify_type: 'probe',
      device_id: null,
      outcome: 'probe',
      status_code: outcome.kind === 'answer' ? outcome.status : null,
      latency_ms: outcome.latencyMs,
      error: answered ? null : error,
      body,
    });
    if (answered) {
      this.store.saveUrl({ ...row, state: 'ok', failures: 0, last_success_at: now });
      rt.nextProbeAt = undefined;
      rt.invalid = false;
      rt.retrying = false;
      rt.probing = false;
      this.logger?.info(`push URL ${url} answers again; pushing to it`);
      this.onChange(url, 'state');
      this.kick(url);
      return;
    }
    this.store.saveUrl({ ...row, last_error: error, last_error_at: now });
    this.onChange(url, 'state');
    this.scheduleProbe(url, PROBE_INTERVAL_MS);
  }

  private deliveryOf(
    url: string,
    message: MessageRow,
    outcome: 'delivered' | 'failed' | 'rejected' | 'dropped',
    at: number,
    detail: { status?: number; latencyMs?: number; error?: string },
  ) {
    return {
      url,
      at,
      notify_type: message.notify_type,
      device_id: message.device_id,
      outcome,
      status_code: detail.status ?? null,
      latency_ms: detail.latencyMs ?? null,
      error: outcome === 'delivered' ? null : (detail.error ?? null),
      body: message.body,
    };
  }
}
