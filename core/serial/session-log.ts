// Timestamped text log of a session: a `[time] < ` / `[time] > ` prefix at each line start, bytes kept as they came.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export function timestampPrefix(at: number, direction: 'in' | 'out'): string {
  return `[${new Date(at).toISOString()}] ${direction === 'in' ? '<' : '>'} `;
}

/** Formats chunks as log lines; keeps state across chunks so a line split over two reads gets one prefix. */
export class LogFormatter {
  private atLineStart = true;
  private lastDirection: 'in' | 'out' | undefined;

  format(at: number, direction: 'in' | 'out', bytes: Uint8Array): Buffer {
    const parts: Buffer[] = [];
    if (this.lastDirection !== undefined && direction !== this.lastDirection && !this.atLineStart) {
      parts.push(Buffer.from('\n'));
      this.atLineStart = true;
    }
    this.lastDirection = direction;
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (this.atLineStart) {
        parts.push(Buffer.from(timestampPrefix(at, direction), 'latin1'));
        this.atLineStart = false;
      }
      if (bytes[i] === 0x0a) {
        parts.push(Buffer.from(bytes.subarray(start, i + 1)));
        start = i + 1;
        this.atLineStart = true;
      }
    }
    if (start < bytes.length) parts.push(Buffer.from(bytes.subarray(start)));
    return Buffer.concat(parts);
  }
}

export class SessionLogFile {
  private readonly stream: WriteStream;
  private readonly formatter = new LogFormatter();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', () => undefined);
  }

  append(at: number, direction: 'in' | 'out', bytes: Uint8Array): void {
    this.stream.write(this.formatter.format(at, direction, bytes));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
