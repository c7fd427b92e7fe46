// The flash operations table: one row per flash, written before the port is touched, so it survives a crash.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { flashedImageSchema, type FlashOperation } from '../contract/flashing.js';
import type { Migration } from '../store/migrations.js';

export const flashMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'flash operations',
    sql: `CREATE TABLE flash_operations (
      id TEXT PRIMARY KEY,
      port TEXT NOT NULL,
      chip TEXT NOT NULL,
      chip_description TEXT,
      mac TEXT,
      images_json TEXT NOT NULL,
      image_hash TEXT NOT NULL,
      erase_all INTEGER NOT NULL,
      verify INTEGER NOT NULL,
      status TEXT NOT NULL,
      written INTEGER NOT NULL,
      total INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      verified INTEGER,
      error_code TEXT,
      error_message TEXT,
      log TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX flash_operations_started ON flash_operations (started_at);`,
  },
];

interface Row {
  id: string;
  port: string;
  chip: string;
  chip_description: string | null;
  mac: string | null;
  images_json: string;
  image_hash: string;
  erase_all: number;
  verify: number;
  status: string;
  written: number;
  total: number;
  started_at: number;
  finished_at: number | null;
  verified: number | null;
  error_code: string | null;
  error_message: string | null;
  log: string;
}

const imagesSchema = z.array(flashedImageSchema);
const statusSchema = z.enum(['running', 'ok', 'failed']);
const LOG_LINES = 400;

function view(row: Row): FlashOperation {
  return {
    id: row.id,
    port: row.port,
    chip: row.chip,
    chipDescription: row.chip_description,
    mac: row.mac,
    images: imagesSchema.parse(JSON.parse(row.images_json)),
    imageHash: row.image_hash,
    eraseAll: row.erase_all === 1,
    verify: row.verify === 1,
    status: statusSchema.parse(row.status),
    written: row.written,
    total: row.total,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.finished_at === null ? null : row.finished_at - row.started_at,
    verified: row.verified === null ? null : row.verified === 1,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    log: row.log === '' ? [] : row.log.split('\n'),
  };
}

export type NewFlashOperation = Pick<
  FlashOperation,
  'id' | 'port' | 'chip' | 'images' | 'imageHash' | 'eraseAll' | 'verify' | 'total' | 'startedAt'
>;

export class FlashStore {
  constructor(private readonly db: Database) {}

  insert(op: NewFlashOperation): FlashOperation {
    this.db
      .prepare(
        `INSERT INTO flash_operations (id, port, chip, images_json, image_hash, erase_all, verify, status, written, total, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', 0, ?, ?)`,
      )
      .run(
        op.id,
        op.port,
        op.chip,
        JSON.stringify(op.images),
        op.imageHash,
        op.eraseAll ? 1 : 0,
        op.verify ? 1 : 0,
        op.total,
        op.startedAt,
      );
    return this.require(op.id);
  }

  get(id: string): FlashOperation | undefined {
    const row = this.db.prepare('SELECT * FROM flash_operations WHERE id = ?').get(id) as Row | undefined;
    return row ? view(row) : undefined;
  }

  require(id: string): FlashOperation {
    const op = this.get(id);
    if (!op) throw new Error(`no flash operation ${id}`);
    return op;
  }

  list(limit = 200): FlashOperation[] {
    const rows = this.db
      .prepare('SELECT * FROM flash_operations ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(limit) as Row[];
    return rows.map(view);
  }

  detected(id: string, chip: string, description: string, mac: string | null): void {
    this.db
      .prepare('UPDATE flash_operations SET chip = ?, chip_description = ?, mac = ? WHERE id = ?')
      .run(chip, description, mac, id);
  }

  progress(id: string, written: number): void {
    this.db.prepare('UPDATE flash_operations SET written = ? WHERE id = ?').run(written, id);
  }

  appendLog(id: string, line: string): void {
    const row = this.db.prepare('SELECT log FROM flash_operations WHERE id = ?').get(id) as { log: string } | undefined;
    if (!row) return;
    const lines = row.log === '' ? [] : row.log.split('\n');
    lines.push(line.replace(/\n/g, ' '));
    this.db.prepare('UPDATE flash_operations SET log = ? WHERE id = ?').run(lines.slice(-LOG_LINES).join('\n'), id);
  }

  finish(id: string, at: number, result: { verified: boolean | null } | { code: string; message: string }): void {
    if ('code' in result) {
      this.db
        .prepare(
          `UPDATE flash_operations SET status = 'failed', finished_at = ?, error_code = ?, error_message = ? WHERE id = ?`,
        )
        .run(at, result.code, result.message, id);
    } else {
      this.db
        .prepare(
          `UPDATE flash_operations SET status = 'ok', finished_at = ?, written = total, verified = ? WHERE id = ?`,
        )
        .run(at, result.verified === null ? null : result.verified ? 1 : 0, id);
    }
  }

  /** After a restart nothing is flashing: a row still `running` was cut off by the crash. */
  failInterrupted(at: number): number {
    return this.db
      .prepare(
        `UPDATE flash_operations SET status = 'failed', finished_at = ?, error_code = 'FLASH_INTERRUPTED',
         error_message = 'the workbench stopped while flashing; the board may hold a partial image' WHERE status = 'running'`,
      )
      .run(at).changes;
  }
}
