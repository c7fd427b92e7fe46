// The diagnosis tasks table: one row per reboot or log-collection task, with the collected log bytes.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import {
  diagnosisMessageCodes,
  diagnosisMessageParamsSchema,
  type DiagnosisKind,
  type DiagnosisMessageCode,
  type DiagnosisMessageParams,
  type DiagnosisStatus,
  type DiagnosisTask,
} from '../contract/diagnosis.js';
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
  {
    version: 2,
    name: 'task results as codes the UI translates',
    sql: `ALTER TABLE diagnosis_tasks ADD COLUMN message_code TEXT;
    ALTER TABLE diagnosis_tasks ADD COLUMN message_params TEXT;`,
  },
];

/** A task's result: a code, its values and the English text made of them. */
export interface TaskMessage {
  code: DiagnosisMessageCode;
  params: DiagnosisMessageParams;
  text: string;
}

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
  message_code: string | null;
  message_params: string | null;
  log: Buffer | null;
}

const messageCodeSchema = z.enum(diagnosisMessageCodes);

/** The stored code and values, when they are readable (rows from before migration 2 have only the text). */
function messageOf(row: TaskRow): Pick<DiagnosisTask, 'messageCode' | 'messageParams'> {
  const code = messageCodeSchema.safeParse(row.message_code);
  if (!code.success) return {};
  let params: unknown;
  try {
    params = JSON.parse(row.message_params ?? '{}');
  } catch {
    return {};
  }
  const parsed = diagnosisMessageParamsSchema.safeParse(params);
  return parsed.success ? { messageCode: code.data, messageParams: parsed.data } : {};
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
    ...messageOf(row),
    ...(row.log !== null ? { logBytes: row.log.length } : {}),
  };
}

export class DiagnosisStore {
  private readonly insertRow;
  private readonly selectRow;
  private readonly selectByDevice;
  private readonly selectOpen;
  private readonly updateSent;
  private readonly updateFinished;
  private readonly deleteOfDevice;

  constructor(db: Database) {
    this.insertRow = db.prepare(
      `INSERT INTO diagnosis_tasks (id, device_id, kind, status, path, created_at)
       VALUES (@id, @device_id, @kind, @status, @path, @created_at)`,
    );
    this.selectRow = db.prepare<[string], TaskRow>('SELECT * FROM diagnosis_tasks WHERE id = ?');
    this.selectByDevice = db.prepare<[string, number], TaskRow>(
      'SELECT * FROM diagnosis_tasks WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
    );
    this.selectOpen = db.prepare<[], TaskRow>(
      `SELECT * FROM diagnosis_tasks WHERE status IN ('Waiting', 'Processing') ORDER BY created_at`,
    );
    this.updateSent = db.prepare(
      `UPDATE diagnosis_tasks SET status = 'Processing', sent_at = COALESCE(sent_at, ?) WHERE id = ?`,
    );
    this.updateFinished = db.prepare(
      `UPDATE diagnosis_tasks SET status = ?, finished_at = ?, message = ?, message_code = ?, message_params = ?,
         log = COALESCE(?, log)
       WHERE id = ? AND status IN ('Waiting', 'Processing')`,
    );
    this.deleteOfDevice = db.prepare('DELETE FROM diagnosis_tasks WHERE device_id = ?');
  }

  insert(row: Omit<TaskRow, 'sent_at' | 'finished_at' | 'message' | 'message_code' | 'message_params' | 'log'>): void {
    this.insertRow.run(row);
  }

  get(id: string): TaskRow | undefined {
    return this.selectRow.get(id);
  }

  byDevice(deviceId: string, limit = 100): TaskRow[] {
    return this.selectByDevice.all(deviceId, limit);
  }

  open(): TaskRow[] {
    return this.selectOpen.all();
  }

  markSent(id: string, at: number): void {
    this.updateSent.run(at, id);
  }

  finish(id: string, status: 'Success' | 'Fail', at: number, message: TaskMessage, log?: Uint8Array): void {
    const params = JSON.stringify(message.params);
    this.updateFinished.run(status, at, message.text, message.code, params, log ? Buffer.from(log) : null, id);
  }

  deleteByDevice(deviceId: string): void {
    this.deleteOfDevice.run(deviceId);
  }
}
