// The diagnosis tasks table: one row per reboot or log-collection task, with the collected log bytes.
import type { Database } from 'better-sqlite3';
import type { DiagnosisKind, DiagnosisStatus, DiagnosisTask } from '../contract/diagnosis.js';
import type { Migration } from '../store/migrations.js';

export const diagnosisMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'diagnosis tasks',
    sql: `CREATE TABLE diagnosis_tasks (
      id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      status TEXT NOT NULL,
      path TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      finished_at INTEGER,
      message TEXT,
      log BLOB
    );
    CREATE INDEX diagnosis_tasks_device ON diagnosis_tasks (device_id, created_at);
    CREATE INDEX diagnosis_tasks_open ON diagnosis_tasks (status) WHERE status IN ('Waiting', 'Processing');`,
  },
];

export interface TaskRow {
  id: string;
  device_id: string;
  kind: DiagnosisKind;
  status: DiagnosisStatus;
  path: string;
  created_at: number;
  sent_at: number | null;
  finished_at: number | null;
  message: string | null;
  log: Buffer | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function taskView(row: TaskRow): DiagnosisTask {
  return {
    taskId: row.id,
    deviceId: row.device_id,
    kind: row.kind,
    status: row.status,
    path: row.path,
    createdAt: iso(row.created_at),
    ...(row.sent_at !== null ? { sentAt: iso(row.sent_at) } : {}),
    ...(row.finished_at !== null ? { finishedAt: iso(row.finished_at) } : {}),
    ...(row.message !== null ? { message: row.message } : {}),
    ...(row.log !== null ? { logBytes: row.log.length } : {}),
  };
}

export class DiagnosisStore {
  constructor(private readonly db: Database) {}

  insert(row: Omit<TaskRow, 'sent_at' | 'finished_at' | 'message' | 'log'>): void {
    this.db
      .prepare(
        `INSERT INTO diagnosis_tasks (id, device_id, kind, status, path, created_at)
         VALUES (@id, @device_id, @kind, @status, @path, @created_at)`,
      )
      .run(row);
  }

  get(id: string): TaskRow | undefined {
    return this.db.prepare('SELECT * FROM diagnosis_tasks WHERE id = ?').get(id) as TaskRow | undefined;
  }

  byDevice(deviceId: string, limit = 100): TaskRow[] {
    return this.db
      .prepare('SELECT * FROM diagnosis_tasks WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(deviceId, limit) as TaskRow[];
  }

  open(): TaskRow[] {
    return this.db
      .prepare(`SELECT * FROM diagnosis_tasks WHERE status IN ('Waiting', 'Processing') ORDER BY created_at`)
      .all() as TaskRow[];
  }

  openOfDevice(deviceId: string): TaskRow[] {
    return this.db
      .prepare(
        `SELECT * FROM diagnosis_tasks WHERE device_id = ? AND status IN ('Waiting', 'Processing') ORDER BY created_at`,
      )
      .all(deviceId) as TaskRow[];
  }

  markSent(id: string, at: number): void {
    this.db
      .prepare(`UPDATE diagnosis_tasks SET status = 'Processing', sent_at = COALESCE(sent_at, ?) WHERE id = ?`)
      .run(at, id);
  }

  finish(id: string, status: 'Success' | 'Fail', at: number, message: string | null, log?: Uint8Array): void {
    this.db
      .prepare(
        `UPDATE diagnosis_tasks SET status = ?, finished_at = ?, message = ?, log = COALESCE(?, log)
         WHERE id = ? AND status IN ('Waiting', 'Processing')`,
      )
      .run(status, at, message, log ? Buffer.from(log) : null, id);
  }

  deleteByDevice(deviceId: string): void {
    this.db.prepare('DELETE FROM diagnosis_tasks WHERE device_id = ?').run(deviceId);
  }
}
