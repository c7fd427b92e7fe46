// The OTA tables: tasks, one sub-task per device (state, step, reason, attempts, coverage) and each sub-task's
// timeline. Everything a task acknowledged is here first, so a restart picks it up where it was.
import type { Database, Statement } from 'better-sqlite3';
import type {
  CoverageLevel,
  OtaDeviceStatus,
  OtaMethod,
  OtaPolicy,
  OtaReason,
  OtaStep,
  OtaSubTask,
  OtaTask,
  OtaTaskStatus,
  OtaTimelineEntry,
} from '../contract/ota.js';
import { otaPolicySchema, otaTaskSchema } from '../contract/ota.js';
import type { Migration } from '../store/migrations.js';

export const otaMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'ota tasks, sub-tasks and timelines',
    sql: `CREATE TABLE ota_tasks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      package_id TEXT NOT NULL,
      package_name TEXT NOT NULL,
      target_version TEXT NOT NULL,
      policy_json TEXT NOT NULL,
      app_confirm INTEGER NOT NULL,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    );
    CREATE TABLE ota_sub_tasks (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      task_id TEXT NOT NULL REFERENCES ota_tasks(id) ON DELETE CASCADE,
      device_id TEXT NOT NULL,
      method TEXT NOT NULL,
      status TEXT NOT NULL,
      step TEXT NOT NULL,
      reason TEXT,
      detail TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      source_version TEXT,
      current_version TEXT,
      cell_id TEXT,
      coverage_level TEXT,
      progress REAL NOT NULL DEFAULT 0,
      started_at INTEGER,
      finished_at INTEGER,
      retry_at INTEGER
    );
    CREATE INDEX ota_sub_tasks_task ON ota_sub_tasks (task_id, seq);
    CREATE INDEX ota_sub_tasks_device ON ota_sub_tasks (device_id, seq);
    CREATE INDEX ota_sub_tasks_open ON ota_sub_tasks (status) WHERE status IN ('waiting', 'running');
    CREATE TABLE ota_timeline (
      sub_task_id TEXT NOT NULL REFERENCES ota_sub_tasks(id) ON DELETE CASCADE,
      at INTEGER NOT NULL,
      step TEXT NOT NULL,
      text TEXT NOT NULL
    );
    CREATE INDEX ota_timeline_sub ON ota_timeline (sub_task_id, at);`,
  },
  {
    version: 2,
    name: 'ota task owner, resolved targets and stop reason',
    sql: `ALTER TABLE ota_tasks ADD COLUMN app_id TEXT;
    ALTER TABLE ota_tasks ADD COLUMN targets_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE ota_tasks ADD COLUMN stop_reason TEXT;`,
  },
];

export interface TaskRow {
  id: string;
  name: string;
  kind: 'firmware' | 'software';
  package_id: string;
  package_name: string;
  target_version: string;
  policy_json: string;
  app_confirm: number;
  status: OtaTaskStatus;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The northbound application that created the task; null for the workbench's own API. */
  app_id: string | null;
  targets_json: string;
  stop_reason: string | null;
}

export type ResolvedTarget = OtaTask['resolvedTargets'][number];

export interface SubTaskRow {
  id: string;
  seq: number;
  task_id: string;
  device_id: string;
  method: OtaMethod;
  status: OtaDeviceStatus;
  step: OtaStep;
  reason: OtaReason | null;
  detail: string | null;
  attempts: number;
  source_version: string | null;
  current_version: string | null;
  cell_id: string | null;
  coverage_level: CoverageLevel | null;
  progress: number;
  started_at: number | null;
  finished_at: number | null;
  retry_at: number | null;
}

export type SubTaskChange = Partial<Omit<SubTaskRow, 'id' | 'seq' | 'task_id' | 'device_id' | 'method'>>;

const changeColumns = new Set<string>([
  'status',
  'step',
  'reason',
  'detail',
  'attempts',
  'source_version',
  'current_version',
  'cell_id',
  'coverage_level',
  'progress',
  'started_at',
  'finished_at',
  'retry_at',
]);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function policyOf(row: TaskRow): OtaPolicy {
  return otaPolicySchema.parse(JSON.parse(row.policy_json));
}

export function subTaskView(r: SubTaskRow): OtaSubTask {
  return {
    subTaskId: r.id,
    taskId: r.task_id,
    deviceId: r.device_id,
    method: r.method,
    status: r.status,
    step: r.step,
    reason: r.reason,
    detail: r.detail,
    attempts: r.attempts,
    sourceVersion: r.source_version,
    currentVersion: r.current_version,
    cellId: r.cell_id,
    coverageLevel: r.coverage_level,
    progress: Math.round(r.progress * 10) / 10,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export class OtaStore {
  private readonly s: Record<string, Statement>;
  private readonly changeStatements = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.s = {
      insertTask: db.prepare(
        `INSERT INTO ota_tasks (id, name, kind, package_id, package_name, target_version, policy_json, app_confirm,
           status, created_at, app_id, targets_json) VALUES (@id, @name, @kind, @package_id, @package_name,
           @target_version, @policy_json, @app_confirm, @status, @created_at, @app_id, @targets_json)`,
      ),
      insertSub: db.prepare(
        `INSERT INTO ota_sub_tasks (id, seq, task_id, device_id, method, status, step, reason, detail, finished_at)
         VALUES (@id, @seq, @task_id, @device_id, @method, @status, @step, @reason, @detail, @finished_at)`,
      ),
      task: db.prepare('SELECT * FROM ota_tasks WHERE id = ?'),
      tasks: db.prepare('SELECT * FROM ota_tasks ORDER BY created_at DESC, rowid DESC'),
      openTasks: db.prepare(`SELECT * FROM ota_tasks WHERE status IN ('waiting', 'running') ORDER BY created_at`),
      setTask: db.prepare(
        `UPDATE ota_tasks SET status = @status, started_at = COALESCE(@started_at, started_at),
           finished_at = @finished_at WHERE id = @id`,
      ),
      stopReason: db.prepare('UPDATE ota_tasks SET stop_reason = ? WHERE id = ?'),
      deleteTask: db.prepare('DELETE FROM ota_tasks WHERE id = ?'),
      startsSince: db.prepare(
        'SELECT started_at FROM ota_sub_tasks WHERE task_id = ? AND started_at > ? ORDER BY started_at',
      ),
      firstEnded: db.prepare(
        `SELECT status FROM ota_sub_tasks WHERE task_id = ? AND status IN ('success', 'fail') AND attempts > 0
         ORDER BY finished_at, seq LIMIT ?`,
      ),
      sub: db.prepare('SELECT * FROM ota_sub_tasks WHERE id = ?'),
      subsOfTask: db.prepare('SELECT * FROM ota_sub_tasks WHERE task_id = ? ORDER BY seq'),
      subsOfTaskWithStatus: db.prepare('SELECT * FROM ota_sub_tasks WHERE task_id = ? AND status = ? ORDER BY seq'),
      subsOfDevice: db.prepare('SELECT * FROM ota_sub_tasks WHERE device_id = ? ORDER BY seq DESC LIMIT 100'),
      openSubs: db.prepare(`SELECT * FROM ota_sub_tasks WHERE status IN ('waiting', 'running') ORDER BY seq`),
      activeOfDevice: db.prepare(
        `SELECT * FROM ota_sub_tasks WHERE device_id = ? AND status IN ('waiting', 'running') LIMIT 1`,
      ),
      counts: db.prepare('SELECT status, COUNT(*) AS n FROM ota_sub_tasks WHERE task_id = ? GROUP BY status'),
      maxSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM ota_sub_tasks'),
      addTimeline: db.prepare('INSERT INTO ota_timeline (sub_task_id, at, step, text) VALUES (?, ?, ?, ?)'),
      timeline: db.prepare('SELECT at, step, text FROM ota_timeline WHERE sub_task_id = ? ORDER BY at, rowid'),
      deleteOfDevice: db.prepare('DELETE FROM ota_sub_tasks WHERE device_id = ?'),
      packageInUse: db.prepare(
        `SELECT id FROM ota_tasks WHERE package_id = ? AND status IN ('waiting', 'running') LIMIT 1`,
      ),
    };
  }

  insertTask(
    task: TaskRow,
    subs: Omit<
      SubTaskRow,
      | 'seq'
      | 'attempts'
      | 'source_version'
      | 'current_version'
      | 'cell_id'
      | 'coverage_level'
      | 'progress'
      | 'started_at'
      | 'retry_at'
    >[],
  ): void {
    this.db.transaction(() => {
      this.s.insertTask!.run(task);
      let seq = (this.s.maxSeq!.get() as { seq: number }).seq;
      for (const sub of subs) this.s.insertSub!.run({ ...sub, seq: ++seq });
    })();
  }

  task(id: string): TaskRow | undefined {
    return this.s.task!.get(id) as TaskRow | undefined;
  }

  tasks(): TaskRow[] {
    return this.s.tasks!.all() as TaskRow[];
  }

  openTasks(): TaskRow[] {
    return this.s.openTasks!.all() as TaskRow[];
  }

  setTask(id: string, status: OtaTaskStatus, startedAt: number | null, finishedAt: number | null): void {
    this.s.setTask!.run({ id, status, started_at: startedAt, finished_at: finishedAt });
  }

  setStopReason(id: string, reason: string): void {
    this.s.stopReason!.run(reason, id);
  }

  /** When the task's devices started since `after` (a restart rebuilds the rollout window from these). */
  startsSince(taskId: string, after: number): number[] {
    return (this.s.startsSince!.all(taskId, after) as { started_at: number }[]).map((r) => r.started_at);
  }

  /** The statuses of the first `limit` devices that were tried and ended, in the order they ended. */
  firstEnded(taskId: string, limit: number): OtaDeviceStatus[] {
    return (this.s.firstEnded!.all(taskId, limit) as { status: OtaDeviceStatus }[]).map((r) => r.status);
  }

  deleteTask(id: string): void {
    this.s.deleteTask!.run(id);
  }

  sub(id: string): SubTaskRow | undefined {
    return this.s.sub!.get(id) as SubTaskRow | undefined;
  }

  subsOfTask(taskId: string, status?: OtaDeviceStatus): SubTaskRow[] {
    return (status ? this.s.subsOfTaskWithStatus!.all(taskId, status) : this.s.subsOfTask!.all(taskId)) as SubTaskRow[];
  }

  subsOfDevice(deviceId: string): SubTaskRow[] {
    return this.s.subsOfDevice!.all(deviceId) as SubTaskRow[];
  }

  openSubs(): SubTaskRow[] {
    return this.s.openSubs!.all() as SubTaskRow[];
  }

  activeOfDevice(deviceId: string): SubTaskRow | undefined {
    return this.s.activeOfDevice!.get(deviceId) as SubTaskRow | undefined;
  }

  counts(taskId: string): Record<OtaDeviceStatus, number> {
    const counts: Record<OtaDeviceStatus, number> = { waiting: 0, running: 0, success: 0, fail: 0, stopped: 0 };
    for (const { status, n } of this.s.counts!.all(taskId) as { status: OtaDeviceStatus; n: number }[]) {
      counts[status] = n;
    }
    return counts;
  }

  change(id: string, change: SubTaskChange): SubTaskRow | undefined {
    const keys = Object.keys(change).filter((k) => changeColumns.has(k));
    if (keys.length > 0) {
      const sql = keys.join(',');
      let statement = this.changeStatements.get(sql);
      if (!statement) {
        statement = this.db.prepare(
          `UPDATE ota_sub_tasks SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
        );
        this.changeStatements.set(sql, statement);
      }
      statement.run({ ...Object.fromEntries(keys.map((k) => [k, change[k as keyof SubTaskChange]])), id });
    }
    return this.sub(id);
  }

  addTimeline(subTaskId: string, at: number, step: OtaStep, text: string): void {
    this.s.addTimeline!.run(subTaskId, at, step, text);
  }

  timeline(subTaskId: string): OtaTimelineEntry[] {
    return (this.s.timeline!.all(subTaskId) as { at: number; step: OtaStep; text: string }[]).map((e) => ({
      at: new Date(e.at).toISOString(),
      step: e.step,
      text: e.text,
    }));
  }

  deleteByDevice(deviceId: string): void {
    this.s.deleteOfDevice!.run(deviceId);
  }

  taskUsingPackage(packageId: string): string | undefined {
    return (this.s.packageInUse!.get(packageId) as { id: string } | undefined)?.id;
  }

  taskView(row: TaskRow): OtaTask {
    const c = this.counts(row.id);
    return {
      taskId: row.id,
      name: row.name,
      kind: row.kind,
      packageId: row.package_id,
      packageName: row.package_name,
      targetVersion: row.target_version,
      policy: policyOf(row),
      appConfirm: row.app_confirm === 1,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      counts: { total: c.waiting + c.running + c.success + c.fail + c.stopped, ...c },
      resolvedTargets: otaTaskSchema.shape.resolvedTargets.parse(JSON.parse(row.targets_json)),
      stopReason: row.stop_reason,
    };
  }
}
