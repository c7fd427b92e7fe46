// Per-source back-off against password guessing: after a few failures a source is refused unchecked for a while.

const FREE_FAILURES = 5;
const BASE_MS = 1000;
const MAX_MS = 5 * 60_000;
const FORGET_MS = 15 * 60_000;

export class LoginBackoff {
  private readonly sources = new Map<string, { failures: number; blockedUntil: number; lastAt: number }>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds the source must still wait, 0 when it may try. */
  blockedFor(source: string): number {
    const s = this.sources.get(source);
    if (!s) return 0;
    return Math.max(0, s.blockedUntil - this.now());
  }

  failed(source: string): void {
    const now = this.now();
    const s = this.sources.get(source);
    const failures = s && now - s.lastAt < FORGET_MS ? s.failures + 1 : 1;
    const over = failures - FREE_FAILURES;
    const wait = over > 0 ? Math.min(MAX_MS, BASE_MS * 2 ** (over - 1)) : 0;
    this.sources.set(source, { failures, blockedUntil: now + wait, lastAt: now });
    if (this.sources.size > 10_000) {
      for (const [k, v] of this.sources) if (now - v.lastAt > FORGET_MS) this.sources.delete(k);
    }
  }

  succeeded(source: string): void {
    this.sources.delete(source);
  }
}
