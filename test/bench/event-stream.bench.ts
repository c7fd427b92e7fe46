// Bus events delivered to a live UI client over /api/events, against the bus alone as the baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createPlatform } from '../../core/platform.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const BATCH = 5000;

export const benchmark: Benchmark = {
  name: 'event stream: bus -> WebSocket client',
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-'));
    const platform = createPlatform({
      dataDir,
      apiPort: 0,
      mqttPort: 0,
      coapPort: 0,
      northboundPort: 0,
      deviceBindAddress: '127.0.0.1',
      logLevel: 'warn',
    });
    const runtime = await platform.start();
    try {
      const event = (i: number) => ({ at: i, deviceId: `p_${i % 100}`, serviceId: 'Meter', data: { reading: i } });

      // Baseline: the same events published and JSON-encoded in process, no socket.
      let encodedBytes = 0;
      const offEncode = platform.bus.subscribeAll((tagged) => (encodedBytes += JSON.stringify(tagged).length));
      const baseline = await opsPerSecond(() => {
        for (let i = 0; i < BATCH; i++) platform.bus.publish('data', event(i));
        return BATCH;
      });
      offEncode();

      const ws = new WebSocket(runtime.apiUrl.replace('http', 'ws') + '/api/events', [`iotwb.token.${runtime.token}`]);
      let received = 0;
      let dropped = 0;
      let wake: (() => void) | undefined;
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as { type: string; events?: unknown[]; dropped?: number };
        if (m.type !== 'batch') return wake?.();
        received += m.events?.length ?? 0;
        dropped += m.dropped ?? 0;
        wake?.();
      });
      await new Promise<void>((r) => (wake = r));

      const delivered = await opsPerSecond(async () => {
        const target = received + dropped + BATCH;
        for (let i = 0; i < BATCH; i++) platform.bus.publish('data', event(i));
        while (received + dropped < target) await new Promise<void>((r) => (wake = r));
        return BATCH;
      });
      ws.close();
      void encodedBytes;
      return {
        rows: [
          { label: 'bus publish + JSON encode in process (baseline)', value: baseline, unit: 'events/s' },
          { label: 'bus publish + delivered to a WebSocket client', value: delivered, unit: 'events/s' },
          { label: 'events dropped for a slow client', value: dropped, unit: 'events' },
        ],
        ratio: { label: 'delivered / baseline', value: delivered / baseline },
      };
    } finally {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
