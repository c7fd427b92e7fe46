// Starting, stopping and restarting a real core on real SQLite files and sockets.
import BetterSqlite3 from 'better-sqlite3';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { StartupError } from '../../core/platform-types.js';
import type { Capability } from '../../core/capability.js';
import { startCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function appliedMigrations(dataDir: string): unknown[] {
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
  const rows = db
    .prepare('SELECT capability, version, applied_at FROM schema_migrations ORDER BY capability, version')
    .all();
  db.close();
  return rows;
}

describe('platform lifecycle', () => {
  it('runs migrations once across restarts and keeps saved settings', async () => {
    const dataDir = tempDir();
    const first = await startCore({ dataDir });
    const put = await first.api('/api/settings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mqttPort: 18830 }),
    });
    expect(await put.json()).toMatchObject({ saved: { mqttPort: 18830 }, restartRequired: true });
    await first.stop();
    const afterFirst = appliedMigrations(dataDir);
    expect(afterFirst.length).toBeGreaterThan(0);

    const second = await startCore({ dataDir });
    expect(appliedMigrations(dataDir)).toEqual(afterFirst);
    const settings = (await (await second.api('/api/settings')).json()) as { saved: { mqttPort: number } };
    expect(settings.saved.mqttPort).toBe(18830);
    await second.stop();
  });

  it('leaves the database untouched when a capability migration fails, and says which and where', async () => {
    const dataDir = tempDir();
    const ok = await startCore({ dataDir });
    await ok.api('/api/settings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ coapPort: 15683 }),
    });
    await ok.stop();
    const before = appliedMigrations(dataDir);

    const broken: Capability = {
      name: 'broken',
      migrations: [
        { version: 1, name: 'create things', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY)' },
        { version: 2, name: 'typo', sql: 'CREAT TABLE oops (id INTEGER)' },
      ],
      start: () => undefined,
    };
    const error = await startCore({ dataDir, extraCapabilities: [broken] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toMatch(/broken migration 2 "typo"/);
    expect((error as StartupError).message).toContain(join(dataDir, DATABASE_FILE_NAME));

    expect(appliedMigrations(dataDir)).toEqual(before);
    const db = new BetterSqlite3(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'things'").all()).toEqual([]);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'coapPort'").get()).toEqual({ value: '15683' });
    db.close();

    // And the workbench still starts afterwards without the broken capability.
    const again = await startCore({ dataDir });
    await again.stop();
  });

  it('says which device port is taken and frees everything it opened', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const dataDir = tempDir();
    const error = await startCore({ dataDir, mqttPort: taken }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toMatch(new RegExp(`MQTT port ${taken} on 127.0.0.1 is in use`));
    blocker.close();
    const core = await startCore({ dataDir });
    await core.stop();
  });

  it('says which data folder cannot be created', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const error = await startCore({ dataDir: join(file, 'data') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error).toMatchObject({ code: 'DATA_DIR_UNUSABLE', file: join(file, 'data') });
  });

  it('stops twice without error', async () => {
    const core = await startCore({ dataDir: tempDir() });
    await Promise.all([core.stop(), core.stop()]);
    await core.stop();
  });
});
