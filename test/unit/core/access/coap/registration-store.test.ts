// The saved LwM2M registrations: what comes back after a restart, what is dropped (expired, unreadable rows).
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RegistrationStore,
  registrationsMigration,
  type StoredRegistration,
} from '../../../../../core/access/coap/registration-store.js';

const dbs: Database.Database[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

function store() {
  const db = new Database(':memory:');
  dbs.push(db);
  db.exec(registrationsMigration.sql);
  const errors: unknown[] = [];
  return { db, errors, saved: new RegistrationStore(db, (e) => errors.push(e)) };
}

const NOW = Date.UTC(2026, 10, 27, 8, 0, 0);

function registration(deviceId: string, expiresAtMs: number): StoredRegistration {
  return {
    productId: 'p1',
    rootPath: '/',
    peer: { address: '127.0.0.1', port: 40001 },
    expiresAtMs,
    view: {
      deviceId,
      endpoint: `urn:imei:${deviceId}`,
      location: `/rd/${deviceId.slice(-8)}`,
      lifetime: 3600,
      lwm2mVersion: '1.1',
      binding: 'UQ',
      address: '127.0.0.1:40001',
      objectLinks: '</3/0>,</19/0>',
      objects: [
        { objectId: 3, instanceId: 0 },
        { objectId: 19, instanceId: 0 },
      ],
      registeredAt: new Date(NOW).toISOString(),
      updatedAt: new Date(NOW).toISOString(),
      expiresAt: new Date(expiresAtMs).toISOString(),
    },
    observations: [{ path: '/19/0/0', tokenHex: '0a0b0c0d', since: new Date(NOW).toISOString() }],
  };
}

describe('saved LwM2M registrations', () => {
  it('gives back the live ones as they were saved, and deletes the expired ones', () => {
    const { db, saved } = store();
    saved.save(registration('p1_868000000000001', NOW + 60_000));
    saved.save(registration('p1_868000000000002', NOW - 1));
    saved.flush();
    expect(saved.load(NOW)).toEqual([registration('p1_868000000000001', NOW + 60_000)]);
    expect(db.prepare('SELECT device_id FROM lwm2m_registrations').all()).toEqual([
      { device_id: 'p1_868000000000001' },
    ]);
  });

  it('keeps the last write of a tick: a registration removed after its save is not written', () => {
    const { saved } = store();
    saved.save(registration('p1_868000000000003', NOW + 60_000));
    saved.remove('p1_868000000000003');
    saved.flush();
    expect(saved.load(NOW)).toEqual([]);
  });

  it('drops rows it cannot read instead of failing the start', () => {
    const { db, saved } = store();
    const insert = db.prepare(`INSERT INTO lwm2m_registrations VALUES (?, 'p1', ?, '/', '127.0.0.1', 1, ?, ?, ?)`);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), fc.nat(1000), (view, obs, n) => {
        insert.run(`d${n}-${Math.random()}`, `/rd/${Math.random()}`, NOW + 1000, view, obs);
        expect(saved.load(NOW).length).toBe(0);
      }),
      { numRuns: 300 },
    );
    const good = registration('p1_868000000000004', NOW + 60_000);
    insert.run(good.view.deviceId, good.view.location, good.expiresAtMs, JSON.stringify(good.view), '[{"path":1}]');
    expect(saved.load(NOW)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM lwm2m_registrations').get()).toEqual({ n: 0 });
  });
});
