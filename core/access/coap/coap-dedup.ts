// Message de-duplication (RFC 7252 §4.5): the CON/NON message ids a peer sent recently, with the answer we gave,
// so a retransmitted request gets the same answer instead of being handled twice.
const MAX_ENTRIES = 100_000;

export class RecentMessages {
  /** `peer#mid` → when it came and what we answered; oldest first (a re-seen key moves to the end). */
  private readonly seen = new Map<string, { at: number; answer?: Buffer }>();

  get(key: string): { at: number; answer?: Buffer } | undefined {
    return this.seen.get(key);
  }

  remember(key: string, at: number, answer?: Buffer): void {
    this.seen.delete(key);
    this.seen.set(key, { at, ...(answer ? { answer } : {}) });
    if (this.seen.size > MAX_ENTRIES) this.seen.delete(this.seen.keys().next().value!);
  }

  /** Forgets messages older than `oldest` (past EXCHANGE_LIFETIME nobody retransmits them). */
  sweep(oldest: number): void {
    for (const [k, v] of this.seen) {
      if (v.at >= oldest) break;
      this.seen.delete(k);
    }
  }
}
