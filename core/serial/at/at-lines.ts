// Splits a module's byte stream into AT lines (CR and/or LF separated) without losing bytes between chunks.
const MAX_LINE = 4096;

export class AtLineSplitter {
  private partial = '';

  /** Returns the complete, non-empty lines in `bytes` (latin1, so every byte keeps one character). */
  push(bytes: Uint8Array): string[] {
    const text = this.partial + Buffer.from(bytes).toString('latin1');
    const parts = text.split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    // A module that never ends its line must not grow this without bound.
    if (this.partial.length > MAX_LINE) {
      parts.push(this.partial);
      this.partial = '';
    }
    return parts.map((l) => l.trim()).filter((l) => l.length > 0);
  }

  /** The unterminated tail (a prompt like `>` or a line still arriving). */
  pending(): string {
    return this.partial;
  }
}
