// One target's delivery loop: one batch in flight at a time (back-pressure), taken from the durable backlog and
// removed only once the target accepted it; a failure waits with back-off (1 s doubling to 30 s) on the clock.
import type { Clock, TimerHandle } from '../clock.js';
import type { ForwardMessage, TargetState } from '../contract/rules.js';
import type { RulesStore, TargetRow } from './rules-store.js';
import type { TargetClient } from './targets/target-client.js';

const BATCH = 200;
const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const RATE_WINDOW_MS = 10_000;

export class TargetSender {
  private backlog: number;
  private drops: number;
  private sent: number;
  private sending = false;
  private stopped = false;
  private retry: TimerHandle | undefined;
  private backoff = MIN_BACKOFF_MS;
  private lastError: { message: string; at: number } | undefined;
  private lastSentAt: number | undefined;
  /** [time, count] of recent deliveries, for sent/s. */
  private recent: [number, number][] = [];
  private idle: Array<() => void> = [];

  constructor(
    readonly target: TargetRow,
    private readonly client: TargetClient,
    private readonly store: RulesStore,
    private readonly clock: Clock,
    backlog: number,
    private readonly changed: () => void,
  ) {
    this.backlog = backlog;
    this.drops = target.drops;
    this.sent = target.sent;
  }

  /** Inside the ingest transaction: stores the message; beyond the bound the oldest go (counted as drops). */
  enqueue(body: string): void {
    this.store.enqueue(this.target.id, body);
    this.backlog++;
    if (this.backlog > this.target.maxBacklog) {
      const dropped = this.store.dropOldestOf(this.target.id, this.backlog - this.target.maxBacklog);
      this.backlog -= dropped;
      this.drops += dropped;
    }
  }

  /** After the transaction committed: start sending unless a batch is in flight or a retry waits. */
  kick(): void {
    if (this.sending || this.retry || this.stopped || this.backlog === 0) return;
    this.sending = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const items = this.store.peek(this.target.id, BATCH);
      if (items.length === 0) {
        this.backlog = 0;
        break;
      }
      const messages = items.map((i) => JSON.parse(i.body) as ForwardMessage);
      try {
        await this.client.send(messages);
      } catch (error) {
        this.lastError = { message: error instanceof Error ? error.message : String(error), at: this.clock.now() };
        const wait = this.backoff;
        this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
        this.retry = this.clock.setTimeout(() => {
          this.retry = undefined;
          this.kick();
        }, wait);
        this.changed();
        break;
      }
      const lastSeq = items[items.length - 1]?.seq ?? 0;
      const removed = this.store.delivered(this.target.id, lastSeq, items.length);
      this.backlog = Math.max(0, this.backlog - removed);
      this.sent += items.length;
      const now = this.clock.now();
      this.lastSentAt = now;
      this.recent.push([now, items.length]);
      this.backoff = MIN_BACKOFF_MS;
      this.changed();
    }
    this.sending = false;
    if (this.backlog === 0 || this.retry || this.stopped) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Resolves when the backlog is empty or the target is waiting to retry. */
  settled(): Promise<void> {
    if (!this.sending && (this.backlog === 0 || this.retry)) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  state(): TargetState {
    const now = this.clock.now();
    this.recent = this.recent.filter(([t]) => now - t < RATE_WINDOW_MS);
    const inWindow = this.recent.reduce((n, [, c]) => n + c, 0);
    const last = this.lastError;
    return {
      connected: this.client.connected,
      backlog: this.backlog,
      drops: this.drops,
      sent: this.sent,
      sentPerSecond: Math.round((inWindow / (RATE_WINDOW_MS / 1000)) * 10) / 10,
      ...(last ? { lastError: last.message, lastErrorAt: new Date(last.at).toISOString() } : {}),
      ...(this.lastSentAt !== undefined ? { lastSentAt: new Date(this.lastSentAt).toISOString() } : {}),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    this.retry = undefined;
    await this.client.close();
  }
}
