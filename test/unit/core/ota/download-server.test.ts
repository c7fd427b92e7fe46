// The MQTT OTA download endpoint: Bearer token checked, Range answered with 206, garbage Range headers refused.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloadServer, parseRange } from '../../../../core/ota/download-server.js';
import type { DownloadGrant } from '../../../../core/ota/mqtt-ota-runner.js';

const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
const sent: number[] = [];
const grant: DownloadGrant = {
  subTaskId: 'sub-1',
  token: 'tok',
  expiresAt: Number.MAX_SAFE_INTEGER,
  fileName: 'fw.bin',
  payload,
  onBytes: (n) => void sent.push(n),
};
const server = createDownloadServer((id) => (id === 'sub-1' ? grant : undefined));
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('parseRange', () => {
  it('reads bytes=N- and bytes=N-M within the file', () => {
    expect(parseRange('bytes=10-', 100)).toEqual({ start: 10, end: 99 });
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange(undefined, 100)).toBeUndefined();
  });
  it('refuses ranges it cannot serve and random garbage, never throwing', () => {
    for (const h of ['bytes=100-', 'bytes=5-1', 'bytes=-5', 'bytes=0-1,3-4', 'items=0-1', '']) {
      expect(parseRange(h, 100)).toBe('bad');
    }
    for (let i = 0; i < 500; i++) {
      const h = randomBytes(1 + (i % 40)).toString(i % 2 ? 'latin1' : 'base64');
      const r = parseRange(h, 100);
      expect(r === 'bad' || (typeof r === 'object' && r.start <= r.end && r.end < 100)).toBe(true);
    }
  });
});

describe('the download endpoint', () => {
  it('serves the whole file with the right token, a range with 206', async () => {
    const whole = await fetch(`${base}/ota/sub-1/fw.bin`, { headers: { authorization: 'Bearer tok' } });
    expect(whole.status).toBe(200);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(payload);
    const part = await fetch(`${base}/ota/sub-1/fw.bin`, {
      headers: { authorization: 'Bearer tok', range: 'bytes=900-' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 900-999/1000');
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    expect(sent).toEqual([1000, 1000]);
  });
  it('refuses a missing or wrong token (401), an unknown download (404) and an unservable range (416)', async () => {
    expect((await fetch(`${base}/ota/sub-1/fw.bin`)).status).toBe(401);
    expect((await fetch(`${base}/ota/sub-1/fw.bin`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/ota/sub-2/fw.bin`, { headers: { authorization: 'Bearer tok' } })).status).toBe(404);
    expect((await fetch(`${base}/ota/sub-1/other.bin`, { headers: { authorization: 'Bearer tok' } })).status).toBe(404);
    const bad = await fetch(`${base}/ota/sub-1/fw.bin`, {
      headers: { authorization: 'Bearer tok', range: 'bytes=5000-' },
    });
    expect(bad.status).toBe(416);
  });
});
