// The device list's offset paging, which lets the UI's virtual list jump anywhere in a 100k-device fleet:
// the same rows as walking the keyset cursor, for every filter, newest first.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12));
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
const FLEET = 100_000;
const statuses = ['inactive', 'online', 'offline', 'abnormal'] as const;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  const db = new Database(join(core.runtime.dataDir, DATABASE_FILE_NAME));
  const insert = db.prepare(
    `INSERT INTO devices (id, product_id, node_id, name, protocol_type, secret_sealed, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'MQTT', x'00', ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < FLEET; i++)
      insert.run(`${product}_J${i}`, product, `J${i}`, `lamp ${i}`, statuses[i % 4], clock.now(), clock.now());
  })();
  db.close();
}, 60_000);
afterAll(() => core.stop());

describe('jumping into a 100k-device list', () => {
  it('returns the rows at any offset, newest first', async () => {
    const middle = await call(apiRoutes.listDevices, { query: { offset: '50000', limit: '3' } });
    expect(middle.total).toBe(FLEET);
    expect(middle.items.map((d) => d.nodeId)).toEqual(['J49999', 'J49998', 'J49997']);
    const last = await call(apiRoutes.listDevices, { query: { offset: String(FLEET - 2), limit: '5' } });
    expect(last.items.map((d) => d.nodeId)).toEqual(['J1', 'J0']);
    expect(last.nextCursor).toBeUndefined();
  });

  it('gives the same rows as walking the cursor, with a status filter', async () => {
    let cursor: string | undefined;
    const walked: string[] = [];
    for (let page = 0; page < 3; page++) {
      const r = await call(apiRoutes.listDevices, {
        query: { status: 'offline', limit: '200', ...(cursor ? { cursor } : {}) },
      });
      walked.push(...r.items.map((d) => d.deviceId));
      cursor = r.nextCursor;
    }
    const jumped = await call(apiRoutes.listDevices, { query: { status: 'offline', offset: '400', limit: '200' } });
    expect(jumped.items.map((d) => d.deviceId)).toEqual(walked.slice(400, 600));
    expect(jumped.total).toBe(FLEET / 4);
    expect(jumped.items.every((d) => d.status === 'offline')).toBe(true);
  });

  it('ignores the offset when a cursor is given', async () => {
    const first = await call(apiRoutes.listDevices, { query: { limit: '2' } });
    const next = await call(apiRoutes.listDevices, {
      query: { limit: '2', offset: '90000', ...(first.nextCursor ? { cursor: first.nextCursor } : {}) },
    });
    expect(next.items.map((d) => d.nodeId)).toEqual([`J${FLEET - 3}`, `J${FLEET - 4}`]);
  });

  it('refuses a negative offset with a message naming it', async () => {
    await expect(call(apiRoutes.listDevices, { query: { offset: '-1' } })).rejects.toMatchObject({
      status: 400,
      path: 'query.offset',
    });
  });
});
