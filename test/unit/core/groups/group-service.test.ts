// The group tree's invariants under random operations, on a real SQLite file with the devices table beside it:
// never a cycle, parents stay in their application, the default group survives, a device is in one group at most.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { DeviceRegistry } from '../../../../core/devices/device-registry.js';
import { devicesMigrations } from '../../../../core/devices/devices-capability.js';
import { createSecretBox } from '../../../../core/devices/secret-box.js';
import { DomainError } from '../../../../core/domain-error.js';
import { GroupService } from '../../../../core/groups/group-service.js';
import { GroupStore, groupMigrations } from '../../../../core/groups/group-store.js';
import { runMigrations } from '../../../../core/store/migrations.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();
const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function setup() {
  const file = join(tempDir(), 'groups.sqlite');
  const db = new Database(file);
  open.push(db);
  runMigrations(
    db,
    file,
    [
      {
        capability: 'devices',
        migrations: devicesMigrations,
      },
      { capability: 'groups', migrations: groupMigrations },
    ],
    () => new Date(),
  );
  const clock = createManualClock(Date.UTC(2026, 11, 7));
  const devices = new DeviceRegistry(db, clock, createSecretBox(randomBytes(32)), {
    product: (id) => ({ id, protocolType: 'MQTT' }),
  });
  const owners = new Map<string, string>();
  const groups = new GroupService(new GroupStore(db), clock, devices, {
    defaultAppId: () => 'app-a',
    ownerOfDevice: (id) => owners.get(id) ?? 'app-a',
  });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(devices.register({ productId: 'p1', nodeId: `n${i}` }).device.deviceId);
  return { db, devices, groups, owners, ids };
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), parent: fc.nat(20), name: fc.nat(8) }),
  fc.record({ kind: fc.constant('move' as const), group: fc.nat(20), parent: fc.option(fc.nat(20)) }),
  fc.record({ kind: fc.constant('delete' as const), group: fc.nat(20), cascade: fc.boolean() }),
  fc.record({ kind: fc.constant('bind' as const), group: fc.nat(20), device: fc.nat(5) }),
);

describe('the group tree under random operations', () => {
  it('keeps a tree: no cycle, parents in the same application, the default group, one group per device', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { db, groups, devices, ids } = setup();
        const all = () => groups.list('app-a');
        for (const o of ops) {
          const list = all();
          const pick = (n: number) => list[n % list.length]!;
          try {
            if (o.kind === 'create')
              groups.create('app-a', { name: `g${o.name}-${list.length}`, parentId: pick(o.parent).id });
            else if (o.kind === 'move') groups.move(pick(o.group).id, o.parent === null ? null : pick(o.parent).id);
            else if (o.kind === 'delete') groups.delete(pick(o.group).id, o.cascade ? 'cascade' : 'current');
            else groups.bind(pick(o.group).id, [ids[o.device]!]);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            expect(['GROUP_CYCLE', 'GROUP_DEFAULT_PROTECTED', 'GROUP_NAME_TAKEN', 'GROUP_TOO_DEEP']).toContain(
              error.code,
            );
          }
          const now = all();
          const byId = new Map(now.map((g) => [g.id, g]));
          expect(now.filter((g) => g.isDefault)).toHaveLength(1);
          for (const g of now) {
            const seen = new Set<string>();
            for (let at: string | undefined = g.id; at !== undefined; at = byId.get(at)?.parentId) {
              expect(seen.has(at), `cycle through ${at}`).toBe(false);
              seen.add(at);
              expect(byId.has(at), `parent ${at} exists`).toBe(true);
            }
          }
          for (const id of ids) {
            const groupId = devices.require(id).groupId;
            if (groupId !== undefined) expect(byId.has(groupId)).toBe(true);
          }
          const counted = now.reduce((sum, g) => sum + g.curDevNum, 0);
          const grouped = (
            db.prepare('SELECT COUNT(*) AS n FROM devices WHERE group_id IS NOT NULL').get() as { n: number }
          ).n;
          expect(counted).toBe(grouped);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a device of another application even when the caller could edit it', () => {
    const { groups, owners, ids } = setup();
    owners.set(ids[0]!, 'app-b');
    const g = groups.create('app-a', { name: 'mine' });
    expect(() => groups.bind(g.id, [ids[0]!])).toThrowError(/does not hold/);
    expect(groups.get(g.id).curDevNum).toBe(0);
  });
});
