// The device registry through the API: batch CSV task, verify-code expiry on the clock, edits, secret reset,
// keyset paging at 100k devices, and one traffic frame per MQTT packet.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type BusEventMap } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12));
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
let nbProduct: string;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  nbProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
});
afterAll(() => core.stop());

describe('registration', () => {
  it('accepts only hex secrets for NB-IoT (CoAP/LwM2M) products', async () => {
    await expect(
      call(apiRoutes.registerDevice, {
        body: { productId: nbProduct, nodeId: '860000000000001', secret: 'not-hex-secret' },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'BAD_SECRET', path: 'body.secret' });
    const ok = await call(apiRoutes.registerDevice, { body: { productId: nbProduct, nodeId: '860000000000001' } });
    expect(ok.secret).toMatch(/^[0-9a-f]+$/);
  });

  it('refuses to delete a product that devices use', async () => {
    await expect(call(apiRoutes.deleteProduct, { params: { id: nbProduct } })).rejects.toMatchObject({ status: 409 });
  });

  it('registers a CSV batch as a task with progress events and per-row results', async () => {
    const events: BusEventMap['task'][] = [];
    const off = core.platform.bus.subscribe('task', (e) => events.push(e));
    const rows = [
      'nodeId,secret,name',
      ...Array.from({ length: 1200 }, (_, i) => `B-${i},,Lamp ${i}`),
      'B-5,,again',
      'bad id!,,x',
    ];
    const started = await call(apiRoutes.startBatchRegistration, {
      body: { productId: product, csv: rows.join('\n') },
    });
    expect(started).toMatchObject({ status: 'running', total: 1202 });
    const task = await eventually(async () => {
      const t = await call(apiRoutes.getBatchRegistration, { params: { taskId: started.taskId } });
      return t.status === 'done' ? t : undefined;
    });
    off();
    expect(task).toMatchObject({ succeeded: 1200, failed: 2 });
    expect(task.rows.find((r) => r.line === 1202)).toMatchObject({ ok: false, error: { code: 'DEVICE_EXISTS' } });
    expect(task.rows.find((r) => r.line === 1203)).toMatchObject({ ok: false, error: { code: 'BAD_NODE_ID' } });
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)).toMatchObject({ status: 'done', progress: 1 });
    const failedOnly = await call(apiRoutes.getBatchRegistration, {
      params: { taskId: started.taskId },
      query: { rows: 'failed' },
    });
    expect(failedOnly.rows.map((r) => r.line)).toEqual([1202, 1203]);
    const countsOnly = await call(apiRoutes.getBatchRegistration, {
      params: { taskId: started.taskId },
      query: { rows: 'none' },
    });
    expect(countsOnly).toMatchObject({ succeeded: 1200, failed: 2, rows: [] });
    const csv = await (await core.api(`/api/devices:export?productId=${product}`)).text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1201);
  });

  it('deletes a verify-code device that does not connect within its timeout', async () => {
    const { device } = await call(apiRoutes.registerDevice, {
      body: { productId: product, nodeId: 'VC-1', verifyCode: 'VC-1', timeout: 300 },
    });
    expect(device.verifyCode).toBe('VC-1');
    clock.advance(299_000);
    expect((await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).deviceId).toBe(device.deviceId);
    clock.advance(2_000);
    await expect(call(apiRoutes.getDevice, { params: { id: device.deviceId } })).rejects.toMatchObject({ status: 404 });
  });

  it('keeps a verify-code device that connected in time', async () => {
    const { device, secret } = await call(apiRoutes.registerDevice, {
      body: { productId: product, nodeId: 'VC-2', timeout: 60 },
    });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await eventually(async () =>
      (await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).activated ? true : undefined,
    );
    clock.advance(120_000);
    expect((await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).activated).toBe(true);
    await client.endAsync();
  });

  it('edits the name and disconnects a connected device when its secret is reset', async () => {
    const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'RS-1' } });
    const edited = await call(apiRoutes.updateDevice, { params: { id: device.deviceId }, body: { name: 'Gate lamp' } });
    expect(edited.name).toBe('Gate lamp');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const reset = await call(apiRoutes.resetDeviceSecret, { params: { id: device.deviceId }, body: {} });
    expect(reset.secret).not.toBe(secret);
    await closed;
    client.end(true);
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
        ...deviceLogin(device.deviceId, secret),
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized/i);
  });

  it('publishes one frame event per MQTT packet, tagged with the device after CONNECT', async () => {
    const frames: BusEventMap['frame'][] = [];
    const off = core.platform.bus.subscribe('frame', (f) => frames.push(f));
    const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'FR-1' } });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await client.publishAsync(`$oc/devices/${device.deviceId}/sys/messages/up`, 'hello', { qos: 1 });
    await client.endAsync();
    await eventually(() => (frames.filter((f) => f.direction === 'in').length >= 3 ? true : undefined));
    off();
    const kinds = frames.map((f) => `${f.direction}:${Buffer.from(f.bytesBase64, 'base64')[0]! >> 4}`);
    // CONNECT in, CONNACK out, (SUBACK-less server subscribe), PUBLISH in, PUBACK out, DISCONNECT in
    expect(kinds).toEqual(expect.arrayContaining(['in:1', 'out:2', 'in:3', 'out:4', 'in:14']));
    expect(new Set(frames.map((f) => f.connectionId)).size).toBe(1);
    expect(
      frames.find((f) => f.direction === 'in' && f.bytesBase64 && Buffer.from(f.bytesBase64, 'base64')[0]! >> 4 === 3),
    ).toMatchObject({ deviceId: device.deviceId, transport: 'tcp', protocol: 'mqtt' });
  });
});

describe('listing at 100k devices', () => {
  beforeAll(() => {
    const db = new Database(join(core.runtime.dataDir, 'workbench.db'));
    const insert = db.prepare(
      `INSERT INTO devices (id, product_id, node_id, name, protocol_type, secret_sealed, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'MQTT', x'00', ?, ?, ?)`,
    );
    const statuses = ['inactive', 'online', 'offline', 'abnormal'];
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        insert.run(`${product}_L${i}`, product, `L${i}`, `bulk ${i}`, statuses[i % 4], clock.now(), clock.now());
      }
    })();
    db.close();
  });

  it('pages through every status filter with a keyset cursor in milliseconds', async () => {
    const timings: number[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < 5; page++) {
      const t0 = performance.now();
      const r = await call(apiRoutes.listDevices, {
        query: { status: 'offline', limit: '100', ...(cursor ? { cursor } : {}) },
      });
      timings.push(performance.now() - t0);
      expect(r.total).toBe(25_000);
      for (const d of r.items) seen.add(d.deviceId);
      cursor = r.nextCursor;
    }
    expect(seen.size).toBe(500);
    const t0 = performance.now();
    const searched = await call(apiRoutes.listDevices, { query: { search: 'L99999', productId: product } });
    timings.push(performance.now() - t0);
    expect(searched.items.map((d) => d.nodeId)).toEqual(['L99999']);
    const counts = await call(apiRoutes.deviceCounts, {});
    expect(counts.offline).toBeGreaterThanOrEqual(25_000);
    console.info(`list timings at 100k devices (ms): ${timings.map((t) => t.toFixed(1)).join(' ')}`);
    expect(Math.max(...timings)).toBeLessThan(250);
  });
});

describe('restart', () => {
  it('shows an MQTT device left online by the previous run as offline after a restart', async () => {
    const dataDir = tempDir();
    const first = await startCore({ dataDir });
    const callFirst = contractCaller(() => first);
    const p = (
      await callFirst(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
    ).id;
    const { device, secret } = await callFirst(apiRoutes.registerDevice, {
      body: { productId: p, nodeId: 'RESTART-1' },
    });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await eventually(async () =>
      (await callFirst(apiRoutes.getDevice, { params: { id: device.deviceId } })).status === 'online'
        ? true
        : undefined,
    );
    await first.stop();
    client.end(true);
    const second = await startCore({ dataDir });
    try {
      const again = await contractCaller(() => second)(apiRoutes.getDevice, { params: { id: device.deviceId } });
      expect(again.status).toBe('offline');
    } finally {
      await second.stop();
    }
  });
});
