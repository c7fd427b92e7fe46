// Bounded buffer of timestamped byte chunks: the oldest go when the total passes the cap (a chatty board stays cheap).
export interface ByteChunk {
  at: number;
  direction: 'in' | 'out';
  bytes: Uint8Array;
}

export class ByteRing {
  private chunks: ByteChunk[] = [];
  private total = 0;
  private dropped = 0;

  constructor(private readonly capBytes: number) {}

  push(chunk: ByteChunk): void {
    const last = this.chunks[this.chunks.length - 1];
    // Merge runs in the same direction within a short window so the list stays short under floods.
    if (last && last.direction === chunk.direction && chunk.at - last.at < 20 && last.bytes.length < 4096) {
      const merged = new Uint8Array(last.bytes.length + chunk.bytes.length);
      merged.set(last.bytes);
      merged.set(chunk.bytes, last.bytes.length);
      last.bytes = merged;
    } else this.chunks.push({ ...chunk });
    this.total += chunk.bytes.length;
    while (this.total > this.capBytes && this.chunks.length > 1) {
      const gone = this.chunks.shift();
      if (!gone) break;
      this.total -= gone.bytes.length;
      this.dropped += gone.bytes.length;
    }
  }

  snapshot(): { chunks: readonly ByteChunk[]; droppedBytes: number } {
    return { chunks: this.chunks, droppedBytes: this.dropped };
  }
}
