// The commands tables: one row per command, every state it went through, the next mid per device, cancel tasks and
// batch tasks. Each change is committed before it is acknowledged or sent, so the queue survives kill -9.
import type { Database } from 'better-sqlite3';
import type {
  CommandKind,
  CommandResult,
  CommandStatus,
  CommandTransition,
  DeviceCommand,
} from '../contract/commands.js';
import type { Migration } from '../store/migrations.js';

export const commandMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'commands, transitions, mids, cancel and batch tasks',
    sql: `CREATE TABLE commands (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      device_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      service_id TEXT NOT NULL,
      method TEXT NOT NULL,
      paras TEXT NOT NULL,
      raw INTEGER NOT NULL DEFAULT 0,
      expire_time INTEGER NOT NULL,
      max_retransmit INTEGER NOT NULL,
      callback_url TEXT,
      status TEXT NOT NULL,
      result TEXT,
      mid INTEGER,
      request_id TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      delivered_at INTEGER,
      finished_at INTEGER,
      issued_times INTEGER NOT NULL DEFAULT 0,
      batch_id TEXT
    );
    CREATE INDEX commands_device ON commands (device_id, created_at);
    CREATE INDEX commands_created ON commands (created_at);
    CREATE INDEX commands_open ON commands (status) WHERE status IN ('PENDING', 'SENT', 'DELIVERED');
    CREATE INDEX commands_batch ON commands (batch_id) WHERE batch_id IS NOT NULL;
    CREATE TABLE command_transitions (
      command_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      status TEXT NOT NULL,
      detail TEXT
    );
    CREATE INDEX command_transitions_command ON command_transitions (command_id);
    CREATE TABLE command_mids (device_id TEXT PRIMARY KEY, next_mid INTEGER NOT NULL);
    CREATE TABLE command_cancel_tasks (
      id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      command_ids TEXT NOT NULL
    );
    CREATE INDEX command_cancel_tasks_device ON command_cancel_tasks (device_id, created_at);
    CREATE TABLE command_batches (
      id TEXT PRIMARY KEY,
      service_id TEXT NOT NULL,
      method TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      refused TEXT NOT NULL,
      target TEXT NOT NULL,
      task_name TEXT,
      app_id TEXT,
      timeout_s INTEGER,
      param TEXT
    );
    CREATE INDEX command_batches_app ON command_batches (app_id, created_at) WHERE app_id IS NOT NULL;`,
  },
];

export interface CommandRow {
  seq: number;
  id: string;
  device_id: string;
  kind: CommandKind;
  service_id: string;
  method: string;
  paras: string;
  raw: number;
  expire_time: number;
  max_retransmit: number;
  callback_url: string | null;
  status: CommandStatus;
  result: string | null;
  mid: number | null;
  request_id: string | null;
  created_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  finished_at: number | null;
  issued_times: number;
  batch_id: string | null;
}

export type NewCommand = Pick<
  CommandRow,
  | 'id'
  | 'device_id'
  | 'kind'
  | 'service_id'
  | 'method'
  | 'paras'
  | 'raw'
  | 'expire_time'
  | 'max_retransmit'
  | 'callback_url'
  | 'created_at'
  | 'batch_id'
>;

/** What a transition changes besides the status. */
export interface TransitionChange {
  result?: CommandResult;
  mid?: number;
  requestId?: string;
  sentAt?: number;
  deliveredAt?: number;
  finishedAt?: number;
  issued?: boolean;
}

export type TransitionDetail = Omit<CommandTransition, 'at' | 'status'>;

export function commandView(row: CommandRow): DeviceCommand {
  return {
    commandId: row.id,
    deviceId: row.device_id,
    kind: row.kind,
    serviceId: row.service_id,
    method: row.method,
    paras: JSON.parse(row.paras) as Record<string, unknown>,
    expireTime: row.expire_time,
    maxRetransmit: row.max_retransmit,
    ...(row.callback_url !== null ? { callbackUrl: row.callback_url } : {}),
    status: row.status,
    ...(row.result !== null ? { result: JSON.parse(row.result) as CommandResult } : {}),
    ...(row.mid !== null ? { mid: row.mid } : {}),
    ...(row.request_id !== null ? { requestId: row.request_id } : {}),
    createdAt: row.created_at,
    ...(row.sent_at !== null ? { sentAt: row.sent_at } : {}),
    ...(row.delivered_at !== null ? { deliveredAt: row.delivered_at } : {}),
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    issuedTimes: row.issued_times,
  };
}

export interface CommandFilter {
  deviceId?: string;
  status?: CommandStatus;
  from?: number;
  to?: number;
  /** An application's devices: only these ids, or every device but these. */
  onlyIds?: readonly string[];
  exceptIds?: readonly string[];
  offset: number;
  limit: number;
}

export interface BatchRow {
  id: string;
  service_id: string;
  method: string;
  created_at: number;
  /** JSON `[{deviceId, error}]`: devices that got no command. */
  refused: string;
  /** JSON of the target as given. */
  target: string;
  /** Northbound batch tasks: their name, application, timeout and `param` as sent. */
  task_name: string | null;
  app_id: string | null;
  timeout_s: number | null;
  param: string | null;
}

export class CommandStore {
  private readonly statements;

  constructor(private readonly db: Database) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO commands (id, device_id, kind, service_id, method, paras, raw, expire_time, max_retransmit,
           callback_url, status, created_at, batch_id)
         VALUES (@id, @device_id, @kind, @service_id, @method, @paras, @raw, @expire_time, @max_retransmit,
           @callback_url, 'PENDING', @created_at, @batch_id)`,
      ),
      get: db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE id = ?'),
      open: db.prepare<[], CommandRow>(
        `SELECT * FROM commands WHERE status IN ('PENDING', 'SENT', 'DELIVERED') ORDER BY seq`,
      ),
      pendingOfDevice: db.prepare<[string], CommandRow>(
        `SELECT * FROM commands WHERE device_id = ? AND status = 'PENDING' ORDER BY seq`,
      ),
      update: db.prepare(
        `UPDATE commands SET status = @status, result = COALESCE(@result, result), mid = COALESCE(@mid, mid),
           request_id = COALESCE(@request_id, request_id), sent_at = COALESCE(@sent_at, sent_at),
           delivered_at = COALESCE(@delivered_at, delivered_at), finished_at = COALESCE(@finished_at, finished_at),
           issued_times = issued_times + @issued
         WHERE id = @id`,
      ),
      transition: db.prepare('INSERT INTO command_transitions (command_id, at, status, detail) VALUES (?, ?, ?, ?)'),
      transitions: db.prepare<[string], { at: number; status: CommandStatus; detail: string | null }>(
        'SELECT at, status, detail FROM command_transitions WHERE command_id = ? ORDER BY rowid',
      ),
      nextMid: db.prepare<[string], { next_mid: number }>('SELECT next_mid FROM command_mids WHERE device_id = ?'),
      setMid: db.prepare(
        `INSERT INTO command_mids (device_id, next_mid) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET next_mid = excluded.next_mid`,
      ),
      insertCancelTask: db.prepare(
        'INSERT INTO command_cancel_tasks (id, device_id, created_at, command_ids) VALUES (?, ?, ?, ?)',
      ),
      cancelTasks: db.prepare<[string], { id: string; device_id: string; created_at: number; command_ids: string }>(
        'SELECT * FROM command_cancel_tasks WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 100',
      ),
      allCancelTasks: db.prepare<[], { id: string; device_id: string; created_at: number; command_ids: string }>(
        'SELECT * FROM command_cancel_tasks ORDER BY created_at DESC, rowid DESC LIMIT 1000',
      ),
      insertBatch: db.prepare(
        `INSERT INTO command_batches (id, service_id, method, created_at, refused, target, task_name, app_id, timeout_s, param)
         VALUES (@id, @service_id, @method, @created_at, @refused, @target, @task_name, @app_id, @timeout_s, @param)`,
      ),
      batch: db.prepare<[string], BatchRow>('SELECT * FROM command_batches WHERE id = ?'),
      ofBatch: db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE batch_id = ? ORDER BY seq'),
      deleteOfDevice: db.prepare('DELETE FROM commands WHERE device_id = ?'),
    };
  }

  insert(row: NewCommand, detail: TransitionDetail = {}): void {
    this.db.transaction(() => {
      this.statements.insert.run(row);
      this.statements.transition.run(row.id, row.created_at, 'PENDING', JSON.stringify(detail));
    })();
  }

  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(id: string): CommandRow | undefined {
    return this.statements.get.get(id);
  }

  open(): CommandRow[] {
    return this.statements.open.all();
  }

  pendingOfDevice(deviceId: string): CommandRow[] {
    return this.statements.pendingOfDevice.all(deviceId);
  }

  /** Stores a new state with its time and detail, in one transaction; returns the updated row. */
  transition(
    id: string,
    status: CommandStatus,
    at: number,
    change: TransitionChange = {},
    detail: TransitionDetail = {},
  ): CommandRow {
    return this.db.transaction(() => {
      this.statements.update.run({
        id,
        status,
        result: change.result ? JSON.stringify(change.result) : null,
        mid: change.mid ?? null,
        request_id: change.requestId ?? null,
        sent_at: change.sentAt ?? null,
        delivered_at: change.deliveredAt ?? null,
        finished_at: change.finishedAt ?? null,
        issued: change.issued ? 1 : 0,
      });
      this.statements.transition.run(id, at, status, JSON.stringify(detail));
      const row = this.statements.get.get(id);
      if (!row) throw new Error(`command ${id} vanished`);
      return row;
    })();
  }

  transitions(id: string): CommandTransition[] {
    return this.statements.transitions.all(id).map((t) => ({
      at: t.at,
      status: t.status,
      ...(t.detail ? (JSON.parse(t.detail) as TransitionDetail) : {}),
    }));
  }

  /** The device's next mid, 1…65535 then round again (§5.1), committed before the command goes out. */
  allocateMid(deviceId: string): number {
    return this.db.transaction(() => {
      const mid = this.statements.nextMid.get(deviceId)?.next_mid ?? 1;
      this.statements.setMid.run(deviceId, mid >= 65535 ? 1 : mid + 1);
      return mid;
    })();
  }

  page(filter: CommandFilter): { total: number; items: CommandRow[] } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      args.push(value);
    };
    if (filter.deviceId !== undefined) add('device_id = ?', filter.deviceId);
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.from !== undefined) add('created_at >= ?', filter.from);
    if (filter.to !== undefined) add('created_at <= ?', filter.to);
    if (filter.onlyIds) add('device_id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.onlyIds));
    if (filter.exceptIds?.length)
      add('device_id NOT IN (SELECT value FROM json_each(?))', JSON.stringify(filter.exceptIds));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM commands ${clause}`).get(...args) as { n: number }).n;
    const items = this.db
      .prepare<(string | number)[], CommandRow>(`SELECT * FROM commands ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit, filter.offset);
    return { total, items };
  }

  insertCancelTask(id: string, deviceId: string, at: number, commandIds: string[]): void {
    this.statements.insertCancelTask.run(id, deviceId, at, JSON.stringify(commandIds));
  }

  cancelTasks(deviceId?: string): { id: string; deviceId: string; createdAt: number; commandIds: string[] }[] {
    const rows =
      deviceId === undefined ? this.statements.allCancelTasks.all() : this.statements.cancelTasks.all(deviceId);
    return rows.map((r) => ({
      id: r.id,
      deviceId: r.device_id,
      createdAt: r.created_at,
      commandIds: JSON.parse(r.command_ids) as string[],
    }));
  }

  insertBatch(row: BatchRow): void {
    this.statements.insertBatch.run(row);
  }

  batch(id: string): BatchRow | undefined {
    return this.statements.batch.get(id);
  }

  /** The newest SENT attempt of a device's command that put exactly these bytes (hex) on the wire. */
  sentWithBytes(deviceId: string, bytesHex: string): { commandId: string; detail: TransitionDetail } | undefined {
    const row = this.db
      .prepare<[string, string], { command_id: string; detail: string }>(
        `SELECT t.command_id, t.detail FROM command_transitions t JOIN commands c ON c.id = t.command_id
         WHERE c.device_id = ? AND t.status = 'SENT' AND lower(json_extract(t.detail, '$.bytesHex')) = ?
         ORDER BY t.rowid DESC LIMIT 1`,
      )
      .get(deviceId, bytesHex.toLowerCase());
    return row && { commandId: row.command_id, detail: JSON.parse(row.detail) as TransitionDetail };
  }

  commandsOfBatch(id: string): CommandRow[] {
    return this.statements.ofBatch.all(id);
  }

  deleteByDevice(deviceId: string): void {
    this.statements.deleteOfDevice.run(deviceId);
  }
}
