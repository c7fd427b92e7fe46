// The terminal's line model: bytes in and out grouped into lines, bounded, rendered as text or hex without
// replacing any byte (bytes that are not valid UTF-8 show as \xNN, never as U+FFFD).
export interface TerminalLine {
  id: number;
  at: number;
  direction: 'in' | 'out';
  bytes: number[];
  /** False while the line has not seen its LF. */
  complete: boolean;
}

export interface TerminalBuffer {
  lines: TerminalLine[];
  nextId: number;
  /** Lines dropped from the front because of the cap. */
  dropped: number;
}

export const emptyTerminal = (): TerminalBuffer => ({ lines: [], nextId: 1, dropped: 0 });

const MAX_LINE_BYTES = 1024;

/** Appends a chunk; mutates and returns the buffer (the caller re-renders once per animation frame). */
export function appendChunk(
  buffer: TerminalBuffer,
  at: number,
  direction: 'in' | 'out',
  bytes: Uint8Array,
  maxLines: number,
): TerminalBuffer {
  let current = buffer.lines[buffer.lines.length - 1];
  for (const byte of bytes) {
    if (!current || current.complete || current.direction !== direction || current.bytes.length >= MAX_LINE_BYTES) {
      if (current) current.complete = true;
      current = { id: buffer.nextId++, at, direction, bytes: [], complete: false };
      buffer.lines.push(current);
    }
    current.bytes.push(byte);
    if (byte === 0x0a) current.complete = true;
  }
  if (buffer.lines.length > maxLines) {
    const excess = buffer.lines.length - maxLines;
    buffer.lines.splice(0, excess);
    buffer.dropped += excess;
  }
  return buffer;
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

function utf8Length(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Text of a line: printable ASCII and valid UTF-8 as characters, CR/LF dropped, other bytes as \xNN. */
export function lineText(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0a || b === 0x0d) continue;
    if (b === 0x09 || (b >= 0x20 && b < 0x7f)) {
      out += String.fromCharCode(b);
      continue;
    }
    const length = utf8Length(b);
    if (length > 0 && i + length <= bytes.length) {
      const seq = bytes.slice(i, i + length);
      if (seq.slice(1).every((c) => c >= 0x80 && c <= 0xbf)) {
        try {
          const ch = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(seq));
          out += ch;
          i += length - 1;
          continue;
        } catch {
          // not valid UTF-8 after all: fall through to the byte escape
        }
      }
    }
    out += `\\x${hex2(b)}`;
  }
  return out;
}

export function lineHex(bytes: readonly number[]): string {
  return bytes.map(hex2).join(' ');
}

export function formatClock(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function base64ToBytes(base64: string): Uint8Array {
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
