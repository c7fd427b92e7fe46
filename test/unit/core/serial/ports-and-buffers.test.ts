import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { ByteRing } from '../../../../core/serial/byte-ring.js';
import { listSerialPortsWith, watchPortList, type PortListing } from '../../../../core/serial/port-list.js';
import { PortBusyError, PortRegistry, type PortOwner } from '../../../../core/serial/port-registry.js';
import { encodeSend, HexInputError } from '../../../../core/serial/send-encoding.js';
import { LogFormatter } from '../../../../core/serial/session-log.js';

function owner(name: string, log: string[]): PortOwner {
  return {
    name,
    yieldPort: () => Promise.resolve(void log.push(`${name} yields`)),
    resumePort: () => Promise.resolve(void log.push(`${name} resumes`)),
  };
}

describe('port registry', () => {
  it('refuses a second owner and lets a flasher take the port over and hand it back', async () => {
    const log: string[] = [];
    const registry = new PortRegistry();
    const terminal = owner('terminal s1', log);
    const flasher = owner('flasher', log);
    registry.acquire('/dev/ttyUSB0', terminal);
    expect(() => registry.acquire('/dev/ttyUSB0', flasher)).toThrow(PortBusyError);
    const takeOver = await registry.takeOver('/dev/ttyUSB0', flasher);
    expect(registry.ownerOf('/dev/ttyUSB0')).toBe(flasher);
    await takeOver.handBack();
    expect(registry.ownerOf('/dev/ttyUSB0')).toBe(terminal);
    expect(log).toEqual(['terminal s1 yields', 'terminal s1 resumes']);
  });
});

describe('byte ring', () => {
  it('drops the oldest bytes past its cap and counts them', () => {
    const ring = new ByteRing(100);
    for (let i = 0; i < 10; i++) ring.push({ at: i * 100, direction: 'in', bytes: new Uint8Array(30) });
    const { chunks, droppedBytes } = ring.snapshot();
    expect(chunks.reduce((n, c) => n + c.bytes.length, 0)).toBeLessThanOrEqual(100);
    expect(droppedBytes + chunks.reduce((n, c) => n + c.bytes.length, 0)).toBe(300);
  });
});

describe('send encoding', () => {
  it('appends the chosen line ending and keeps non-ASCII as UTF-8', () => {
    expect(Buffer.from(encodeSend({ mode: 'text', text: 'AT', lineEnding: 'crlf' })).toString('hex')).toBe('41540d0a');
    expect(Buffer.from(encodeSend({ mode: 'text', text: 'AT', lineEnding: 'none' })).toString('hex')).toBe('4154');
    expect(Buffer.from(encodeSend({ mode: 'text', text: '温', lineEnding: 'lf' })).toString('hex')).toBe('e6b8a90a');
  });

  it('parses spaced hex and rejects odd or non-hex input', () => {
    expect(Array.from(encodeSend({ mode: 'hex', hex: '41 54 0d 0A' }))).toEqual([0x41, 0x54, 0x0d, 0x0a]);
    expect(() => encodeSend({ mode: 'hex', hex: '4' })).toThrow(HexInputError);
    expect(() => encodeSend({ mode: 'hex', hex: 'zz' })).toThrow(HexInputError);
  });
});

describe('log formatting', () => {
  it('puts one timestamp at each line start even when a line arrives in pieces, keeping raw bytes', () => {
    const f = new LogFormatter();
    const at = Date.UTC(2026, 0, 1);
    const out = Buffer.concat([
      f.format(at, 'in', Buffer.from('he')),
      f.format(at, 'in', Buffer.from([0x6c, 0xff, 0x0a, 0x41])),
    ]);
    expect(out.toString('latin1')).toBe('[2026-01-01T00:00:00.000Z] < hel\xff\n[2026-01-01T00:00:00.000Z] < A');
  });
});

describe('port list watcher', () => {
  it('polls through the clock and reports a plugged-in port once', async () => {
    const clock = createManualClock();
    let listing: PortListing = { ports: [{ path: '/dev/ttyS0' }] };
    const changes: PortListing[] = [];
    const watcher = watchPortList(
      () => Promise.resolve(listing),
      clock,
      (l) => changes.push(l),
      2000,
    );
    await watcher.refresh();
    listing = { ports: [{ path: '/dev/ttyS0' }, { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523' }] };
    clock.advance(2000);
    await new Promise((r) => setImmediate(r));
    clock.advance(2000);
    await new Promise((r) => setImmediate(r));
    expect(changes).toHaveLength(1);
    expect(changes[0]?.ports[1]?.vendorId).toBe('1a86');
    watcher.stop();
  });
});

describe('system port list', () => {
  it.runIf(process.platform === 'linux')(
    'says to install udev when udevadm is missing, without calling serialport',
    async () => {
      const listing = await listSerialPortsWith(['/nonexistent/udevadm']);
      expect(listing.ports).toEqual([]);
      expect(listing.listError).toMatch(/udevadm was not found.*"udev" package/);
    },
  );
});
