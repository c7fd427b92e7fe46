import { describe, expect, it } from 'vitest';
import { appendChunk, emptyTerminal, lineHex, lineText } from '../../../../renderer/features/serial/terminalLines.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('terminal lines', () => {
  it('splits on LF, joins a line that arrives in pieces and starts a new line when the direction changes', () => {
    const buffer = emptyTerminal();
    appendChunk(buffer, 1, 'in', bytes('OK\r\n+CS'), 100);
    appendChunk(buffer, 2, 'in', bytes('Q:21,99\r\n'), 100);
    appendChunk(buffer, 3, 'out', bytes('AT'), 100);
    expect(buffer.lines.map((l) => [l.direction, lineText(l.bytes)])).toEqual([
      ['in', 'OK'],
      ['in', '+CSQ:21,99'],
      ['out', 'AT'],
    ]);
  });

  it('never replaces bytes: valid UTF-8 shows as text, other bytes as \\xNN, hex shows them all', () => {
    const line = [...new TextEncoder().encode('温度 '), 0xff, 0x00, 0xe6];
    expect(lineText(line)).toBe('温度 \\xFF\\x00\\xE6');
    expect(lineHex([0x41, 0xff])).toBe('41 FF');
  });

  it('keeps at most the cap of lines and counts the dropped ones', () => {
    const buffer = emptyTerminal();
    for (let i = 0; i < 50; i++) appendChunk(buffer, i, 'in', bytes(`line ${i}\n`), 10);
    expect(buffer.lines).toHaveLength(10);
    expect(buffer.dropped).toBe(40);
    expect(lineText(buffer.lines[0]?.bytes ?? [])).toBe('line 40');
  });
});
