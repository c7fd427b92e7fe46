// The config updates table: one row per config update of a device (its operation record), with the merged values,
// schedule, retry policy, attempts, the commands of the attempt on the wire and the result.
import type { Database } from 'better-sqlite3';
import type { ConfigSchedule, ConfigStatus, ConfigUpdate, ConfigValues } from '../contract/device-config.js';
import type { Migration } from '../store/migrations.js';

export const configMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'config updates',
    sql: `CREATE TABLE config_updates (
      id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL,
      config TEXT NOT NULL,
      schedule TEXT NOT NULL,
      run_at INTEGER,
      retry_count INTEGER NOT NULL,
      retry_interval_s INTEGER NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      merged_count INTEGER NOT NULL DEFAULT 0,
      command_ids TEXT,
      next_attempt_at INTEGER,
      reason TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER
    );
    CREATE INDEX config_updates_device ON config_updates (device_id, created_at);
    CREATE INDEX config_updates_open ON config_updates (status) WHERE status IN ('WAITING', 'SENDING');`,
  },
];

export interface ConfigRow {
  id: string;
  device_id: string;
  config: string;
  schedule: ConfigSchedule;
  run_at: number | null;
  retry_count: number;
  retry_interval_s: number;
  status: ConfigStatus;
  attempts: number;
  merged_count: number;
  command_ids: string | null;
  next_attempt_at: number | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function configView(row: ConfigRow): ConfigUpdate {
  return {
    configId: row.id,
    deviceId: row.device_id,
    values: JSON.parse(row.config) as ConfigValues,
    schedule: row.schedule,
    ...(row.run_at !== null ? { at: row.run_at } : {}),
    retry: { count: row.retry_count, intervalS: row.retry_interval_s },
    status: row.status,
    attempts: row.attempts,
    mergedCount: row.merged_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    ...(row.next_attempt_at !== null ? { nextAttemptAt: row.next_attempt_at } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
  };
}

export type ConfigChange = Partial<
  Pick<
    ConfigRow,
    | 'config'
    | 'schedule'
    | 'run_at'
    | 'retry_count'
    | 'retry_interval_s'
    | 'status'
    | 'attempts'
    | 'merged_count'
    | 'command_ids'
    | 'next_attempt_at'
    | 'reason'
    | 'finished_at'
  >
>;

export class ConfigStore {
  private readonly insertRow;
  private readonly selectRow;
  private readonly selectByDevice;
  private readonly selectOpen;
  private readonly selectLastSuccess;
  private readonly selectOpenOfDevice;

  constructor(private readonly db: Database) {
    this.insertRow = db.prepare(
      `INSERT INTO config_updates (id, device_id, config, schedule, run_at, retry_count, retry_interval_s, status,
         created_at, updated_at)
       VALUES (@id, @device_id, @config, @schedule, @run_at, @retry_count, @retry_interval_s, 'WAITING', @created_at, @created_at)`,
    );
    this.selectRow = db.prepare<[string], ConfigRow>('SELECT * FROM config_updates WHERE id = ?');
    this.selectByDevice = db.prepare<[string, number], ConfigRow>(
      'SELECT * FROM config_updates WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
    );
    this.selectOpen = db.prepare<[], ConfigRow>(
      `SELECT * FROM config_updates WHERE status IN ('WAITING', 'SENDING') ORDER BY created_at, rowid`,
    );
    this.selectOpenOfDevice = db.prepare<[string], ConfigRow>(
      `SELECT * FROM config_updates WHERE status IN ('WAITING', 'SENDING') AND device_id = ? ORDER BY created_at, rowid`,
    );
    this.selectLastSuccess = db.prepare<[string], ConfigRow>(
      `SELECT * FROM config_updates WHERE device_id = ? AND status = 'SUCCESS' ORDER BY finished_at DESC, rowid DESC LIMIT 1`,
    );
  }

  insert(
    row: Pick<
      ConfigRow,
      'id' | 'device_id' | 'config' | 'schedule' | 'run_at' | 'retry_count' | 'retry_interval_s' | 'created_at'
    >,
  ): void {
    this.insertRow.run(row);
  }

  get(id: string): ConfigRow | undefined {
    return this.selectRow.get(id);
  }

  update(id: string, change: ConfigChange, at: number): ConfigRow {
    const columns = Object.keys(change);
    const sets = [...columns.map((c) => `${c} = @${c}`), 'updated_at = @updated_at'].join(', ');
    this.db.prepare(`UPDATE config_updates SET ${sets} WHERE id = @id`).run({ ...change, updated_at: at, id });
    const row = this.get(id);
    if (!row) throw new Error(`config ${id} vanished`);
    return row;
  }

  byDevice(deviceId: string, limit = 100): ConfigRow[] {
    return this.selectByDevice.all(deviceId, limit);
  }

  open(): ConfigRow[] {
    return this.selectOpen.all();
  }

  openOf(deviceId: string): ConfigRow[] {
    return this.selectOpenOfDevice.all(deviceId);
  }

  lastSuccessful(deviceId: string): ConfigRow | undefined {
    return this.selectLastSuccess.get(deviceId);
  }

  deleteByDevice(deviceId: string): void {
    this.db.prepare('DELETE FROM config_updates WHERE device_id = ?').run(deviceId);
  }
}
