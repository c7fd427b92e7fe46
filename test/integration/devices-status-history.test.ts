// A device's status timeline through the API: transitions recorded as they happen on the moved clock, newest
// first, paged, and gone with the device.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { STATUS_EVENTS_KEPT_PER_DEVICE } from '../../core/devices/status-history.js';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12));
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir();
  core = await startCore({ dataDir, clock });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
});
afterAll(() => core.stop());

const statusOf = async (id: string) => (await call(apiRoutes.getDevice, { params: { id } })).status;

describe('status timeline', () => {
  it('starts empty for a device that never connected', async () => {
    const { device } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'QUIET-1' } });
    const history = await call(apiRoutes.deviceStatusHistory, { params: { id: device.deviceId }, query: {} });
    expect(history).toEqual({ items: [] });
  });

  it('shows online when an MQTT device connects and offline a minute after it leaves', async () => {
    const { device, secret } = await call(apiRoutes.registerDevice, {
      body: { productId: product, nodeId: 'TL-1' },
    });
    const connectedAt = clock.now();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await eventually(async () => ((await statusOf(device.deviceId)) === 'online' ? true : undefined));
    clock.advance(5 * 60_000);
    const leftAt = clock.now();
    await client.endAsync();
    // The broker notices the close on its own time; move the clock past the grace until the engine has.
    await eventually(async () => {
      clock.advance(61_000);
      return (await statusOf(device.deviceId)) === 'offline' ? true : undefined;
    });

    const { items } = await call(apiRoutes.deviceStatusHistory, { params: { id: device.deviceId }, query: {} });
    expect(items.map((i) => i.status)).toEqual(['offline', 'online']);
    expect(items[1]?.at).toBe(new Date(connectedAt).toISOString());
    expect(Date.parse(items[0]?.at ?? '')).toBeGreaterThanOrEqual(leftAt + 60_000);
  });

  it('pages newest first and keeps a bounded number of transitions per device', async () => {
    const { device } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'FLAP-1' } });
    const total = STATUS_EVENTS_KEPT_PER_DEVICE + 300;
    for (let i = 0; i < total; i++)
      core.platform.bus.publish('device', {
        at: clock.now() + i,
        deviceId: device.deviceId,
        kind: i % 2 === 0 ? 'online' : 'offline',
      });
    const first = await call(apiRoutes.deviceStatusHistory, { params: { id: device.deviceId }, query: { limit: 3 } });
    expect(first.items.map((i) => i.status)).toEqual(['offline', 'online', 'offline']);
    expect(first.nextCursor).toBeDefined();
    const second = await call(apiRoutes.deviceStatusHistory, {
      params: { id: device.deviceId },
      query: { limit: 3, ...(first.nextCursor !== undefined ? { cursor: first.nextCursor } : {}) },
    });
    expect(Date.parse(second.items[0]?.at ?? '')).toBeLessThan(Date.parse(first.items[2]?.at ?? ''));

    let kept = 0;
    let cursor: number | undefined;
    do {
      const page = await call(apiRoutes.deviceStatusHistory, {
        params: { id: device.deviceId },
        query: { limit: 500, ...(cursor !== undefined ? { cursor } : {}) },
      });
      kept += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(kept).toBeGreaterThanOrEqual(STATUS_EVENTS_KEPT_PER_DEVICE);
    expect(kept).toBeLessThan(STATUS_EVENTS_KEPT_PER_DEVICE + 50);
  });

  it('forgets the timeline with the device and answers 404 for it', async () => {
    const { device } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'GONE-1' } });
    core.platform.bus.publish('device', { at: clock.now(), deviceId: device.deviceId, kind: 'online' });
    await call(apiRoutes.deleteDevice, { params: { id: device.deviceId } });
    await expect(
      call(apiRoutes.deviceStatusHistory, { params: { id: device.deviceId }, query: {} }),
    ).rejects.toMatchObject({ status: 404 });
    const db = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    const left = db.prepare('SELECT count(*) AS n FROM device_status_events WHERE device_id = ?').get(device.deviceId);
    db.close();
    expect(left).toEqual({ n: 0 });
  });
});
