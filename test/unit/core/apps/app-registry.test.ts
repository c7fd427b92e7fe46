// The application registry on a real SQLite file: the default app's unseen secret, grants (direct only, replaced on
// re-grant, gone with the app), which devices an app holds, and the upgrade of a database made before grants.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppRegistry, appMigrations } from '../../../../core/apps/app-registry.js';
import { createManualClock } from '../../../../core/clock.js';
import { runMigrations } from '../../../../core/store/migrations.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 0, 1));

function database(migrations = appMigrations) {
  const file = join(tempDir(), 'apps.db');
  const db = new BetterSqlite3(file);
  runMigrations(db, file, [{ capability: 'apps', migrations }], () => new Date(clock.now()));
  return { db, file };
}

describe('the default application', () => {
  it('has a secret nobody has seen until it is reset, unless serve gave one', () => {
    const generated = new AppRegistry(database().db, clock);
    const first = generated.ensureDefault();
    expect(first.secret).toMatch(/^[0-9a-f]{24}$/);
    expect(first.application.secretKnown).toBe(false);
    generated.setSecret(first.application.appId);
    expect(generated.defaultApp().secretKnown).toBe(true);

    const given = new AppRegistry(database().db, clock);
    expect(given.ensureDefault({ appId: 'ci', secret: 'ci-secret-1' }).application.secretKnown).toBe(true);
  });

  it('counts as its devices every device no other application registered', () => {
    let all = 5;
    const apps = new AppRegistry(database().db, clock, () => all);
    const defaultId = apps.ensureDefault().application.appId;
    const other = apps.create({ name: 'Other' }).application.appId;
    apps.claimDevice('p_1', other);
    apps.claimDevice('p_2', defaultId);
    expect(apps.get(defaultId)?.deviceCount).toBe(4);
    expect(apps.get(other)?.deviceCount).toBe(1);
    expect(apps.deviceScope(defaultId)).toEqual({ exceptIds: ['p_1'] });
    expect(apps.deviceScope(other)).toEqual({ onlyIds: ['p_1'] });
    all = 1;
    expect(apps.get(defaultId)?.deviceCount).toBe(0);
  });
});

describe('grants', () => {
  it('are direct only, replaced by a new grant, and leave with either application', () => {
    const apps = new AppRegistry(database().db, clock);
    apps.ensureDefault();
    const [a, b, c] = ['A', 'B', 'C'].map((name) => apps.create({ name }).application.appId) as [
      string,
      string,
      string,
    ];
    apps.grant(a, b, 'query');
    apps.grant(b, c, 'edit');
    expect(apps.accessOf(a, b)).toBe('query');
    expect(apps.accessOf(b, a)).toBeUndefined();
    expect(apps.accessOf(a, c)).toBeUndefined();
    expect(apps.grant(a, b, 'edit').access).toBe('edit');
    expect(apps.grants(a).given).toHaveLength(1);
    expect(apps.grants(b)).toMatchObject({ given: [{ granteeAppId: c }], received: [{ ownerAppId: a }] });
    apps.remove(b);
    expect(apps.grants(a).given).toEqual([]);
    expect(apps.grants(c).received).toEqual([]);
  });

  it('follow the default application when serve gives it another appId', () => {
    const { db } = database();
    const apps = new AppRegistry(db, clock);
    const old = apps.ensureDefault().application.appId;
    const partner = apps.create({ name: 'Partner' }).application.appId;
    apps.grant(old, partner, 'query');
    apps.grant(partner, old, 'edit');
    apps.ensureDefault({ appId: 'renamed' });
    expect(apps.accessOf('renamed', partner)).toBe('query');
    expect(apps.accessOf(partner, 'renamed')).toBe('edit');
  });
});

describe('a database made before grants', () => {
  it('upgrades: the default app is marked as having an unseen secret, and serve --app-secret marks it known', () => {
    const { db, file } = database(appMigrations.slice(0, 1));
    db.prepare(
      `INSERT INTO apps (app_id, name, secret_hash, is_default, created_at) VALUES ('old', 'Default application', 'x', 1, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO apps (app_id, name, secret_hash, is_default, created_at) VALUES ('other', 'Other', 'x', 0, 0)`,
    ).run();
    runMigrations(db, file, [{ capability: 'apps', migrations: appMigrations }], () => new Date(clock.now()));
    const apps = new AppRegistry(db, clock);
    expect(apps.get('old')?.secretKnown).toBe(false);
    expect(apps.get('other')?.secretKnown).toBe(true);
    apps.ensureDefault({ secret: 'now-given-secret' });
    expect(apps.get('old')?.secretKnown).toBe(true);
  });
});
