// Serial workbench: a chatty board flooding a terminal session over a socat pty (bytes reaching the bus as batched
// `serial` events) against the raw pty read alone, and AT responses collected per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus } from '../../core/bus/event-bus.js';
import { systemClock } from '../../core/clock.js';
import { AtLineSplitter } from '../../core/serial/at/at-lines.js';
import { createAtCollector } from '../../core/serial/at/at-response.js';
import { parseAtFields } from '../../core/serial/at/command-library.js';
import { createPtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { PortRegistry } from '../../core/serial/port-registry.js';
import { openSerialLine, type SerialLine } from '../../core/serial/serial-line.js';
import { TerminalSession } from '../../core/serial/terminal-session.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const FLOOD = 4 * 1024 * 1024;
const settings = { baudRate: 921600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' } as const;

/** Writes FLOOD bytes of log-like lines into `device` and resolves when `received()` reaches them. */
async function flood(device: SerialLine, received: () => number): Promise<number> {
  const line = Buffer.from('I (1234) wifi: sta connected, rssi -52 \xe2\x9c\x93 \xff\r\n', 'latin1');
  const chunk = Buffer.concat(Array.from({ length: Math.ceil(16384 / line.length) }, () => line));
  const start = performance.now();
  let sent = 0;
  while (sent < FLOOD) {
    await device.write(chunk);
    sent += chunk.length;
  }
  while (received() < sent) await new Promise((r) => setTimeout(r, 5));
  return sent / ((performance.now() - start) / 1000) / (1024 * 1024);
}

export const benchmark: Benchmark = {
  name: 'serial: pty flood into a terminal session; AT response collection',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'iotwb-bench-serial-'));
    try {
      // Baseline: the host end read directly, nothing else.
      let pty = await createPtyPair(join(dir, 'raw'));
      let device = await openSerialLine({ path: pty.devicePath, ...settings });
      const host = await openSerialLine({ path: pty.hostPath, ...settings });
      let rawBytes = 0;
      host.onData((b) => (rawBytes += b.length));
      const rawMBps = await flood(device, () => rawBytes);
      await host.close();
      await device.close();
      await pty.close();

      pty = await createPtyPair(join(dir, 'session'));
      device = await openSerialLine({ path: pty.devicePath, ...settings });
      const bus = createEventBus(() => undefined);
      let eventBytes = 0;
      let events = 0;
      bus.subscribe('serial', (e) => {
        if (e.kind !== 'data' || !e.base64) return;
        events++;
        eventBytes += Buffer.from(e.base64, 'base64').length;
      });
      const session = new TerminalSession(
        'bench',
        { path: pty.hostPath, ...settings, reconnect: false, logToFile: true },
        { bus, clock: systemClock, registry: new PortRegistry(), openLine: openSerialLine, dataDir: dir },
      );
      await session.open();
      const sessionMBps = await flood(device, () => eventBytes);
      await new Promise((r) => setTimeout(r, 50));
      await session.close();
      await device.close();
      await pty.close();

      const transcript = Buffer.from(
        'AT+NUESTATS\r\r\nSignal power:-1102\r\nTotal power:-1010\r\n+NNMI:4,AABBCCDD\r\nCell ID:95271489\r\nECL:1\r\nSNR:-25\r\nEARFCN:2509\r\nPCI:222\r\n\r\nOK\r\n',
      );
      const atPerSecond = await opsPerSecond(() => {
        for (let i = 0; i < 1000; i++) {
          const splitter = new AtLineSplitter();
          const collector = createAtCollector('AT+NUESTATS');
          for (const l of splitter.push(transcript)) collector.push(l);
          parseAtFields('AT+NUESTATS', collector.result().lines);
        }
        return 1000;
      });

      return {
        rows: [
          { label: 'raw pty read (baseline)', value: Math.round(rawMBps * 10) / 10, unit: 'MB/s' },
          {
            label: 'terminal session -> bus events, with file log',
            value: Math.round(sessionMBps * 10) / 10,
            unit: 'MB/s',
          },
          { label: `serial events for ${FLOOD / 1024 / 1024} MB`, value: events, unit: 'events' },
          { label: 'AT+NUESTATS responses split, collected and parsed', value: Math.round(atPerSecond), unit: 'per s' },
        ],
        ratio: { label: 'session throughput / raw pty', value: Math.round((sessionMBps / rawMBps) * 100) / 100 },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
