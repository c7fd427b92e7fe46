// The rule engine's tables: linkage rules, their firings, alarms, forwarding targets and rules, and each target's
// durable backlog (rows written in the transaction that stores the report they forward).
import type { Database } from 'better-sqlite3';
import {
  alarmSchema,
  forwardFilterSchema,
  linkageRuleBodySchema,
  ruleFiringSchema,
  targetConfigSchema,
  type Alarm,
  type AlarmQuery,
  type ForwardRule,
  type ForwardRuleInput,
  type LinkageRule,
  type LinkageRuleInput,
  type RuleFiring,
  type TargetConfig,
} from '../contract/rules.js';
import type { Migration } from '../store/migrations.js';
import { z } from 'zod';

export const rulesMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'linkage rules, firings, alarms, forwarding targets, rules and backlog',
    sql: `CREATE TABLE rule_linkage (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      body TEXT NOT NULL,
      enabled INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      firings INTEGER NOT NULL DEFAULT 0,
      last_fired_at INTEGER
    );
    CREATE TABLE rule_firings (
      id TEXT PRIMARY KEY,
      rule_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX rule_firings_rule ON rule_firings (rule_id, at);
    CREATE INDEX rule_firings_at ON rule_firings (at);
    CREATE TABLE rule_alarms (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      device_id TEXT,
      rule_id TEXT,
      level TEXT NOT NULL,
      name TEXT NOT NULL,
      content TEXT NOT NULL,
      first_at INTEGER NOT NULL,
      last_at INTEGER NOT NULL,
      count INTEGER NOT NULL,
      state TEXT NOT NULL,
      cleared_at INTEGER,
      cleared_by TEXT
    );
    CREATE INDEX rule_alarms_device ON rule_alarms (device_id, state);
    CREATE INDEX rule_alarms_last ON rule_alarms (last_at);
    CREATE TABLE rule_targets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      config TEXT NOT NULL,
      max_backlog INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      sent INTEGER NOT NULL DEFAULT 0,
      drops INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE rule_forwarding (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      name TEXT NOT NULL,
      source TEXT NOT NULL,
      filter TEXT NOT NULL,
      target_ids TEXT NOT NULL,
      enabled INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE rule_backlog (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      target_id TEXT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX rule_backlog_target ON rule_backlog (target_id, seq);`,
  },
  {
    version: 2,
    name: 'firings decided but not yet run, what each rule last knew, open alarms by rule, firings in order',
    sql: `CREATE TABLE rule_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      rule_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      decision TEXT NOT NULL
    );
    CREATE TABLE rule_state (
      rule_id TEXT NOT NULL,
      key TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (rule_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX rule_alarms_rule ON rule_alarms (rule_id, device_id, state);
    CREATE TABLE rule_firings_v2 (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      rule_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    INSERT INTO rule_firings_v2 (id, rule_id, at, body) SELECT id, rule_id, at, body FROM rule_firings ORDER BY rowid;
    DROP TABLE rule_firings;
    ALTER TABLE rule_firings_v2 RENAME TO rule_firings;
    CREATE INDEX rule_firings_rule ON rule_firings (rule_id, at);`,
  },
];

const iso = (ms: number) => new Date(ms).toISOString();
/** Firings kept; the oldest go first. */
const MAX_FIRINGS = 10_000;

interface LinkageRow {
  id: string;
  app_id: string;
  body: string;
  enabled: number;
  created_at: number;
  firings: number;
  last_fired_at: number | null;
}
interface AlarmRow {
  id: string;
  app_id: string;
  device_id: string | null;
  rule_id: string | null;
  level: string;
  name: string;
  content: string;
  first_at: number;
  last_at: number;
  count: number;
  state: string;
  cleared_at: number | null;
  cleared_by: string | null;
}
export interface TargetRow {
  id: string;
  name: string;
  config: TargetConfig;
  maxBacklog: number;
  createdAt: number;
  sent: number;
  drops: number;
}
export interface BacklogItem {
  seq: number;
  body: string;
}

const targetIdsSchema = z.array(z.string());

export class RulesStore {
  private readonly insertBacklog;
  private readonly dropOldest;
  private readonly addDrops;
  private readonly insertFiring;
  private readonly countFiring;
  private readonly pruneFirings;
  private readonly insertOutbox;
  private readonly deleteOutbox;
  private readonly upsertState;
  private readonly openAlarmRow;
  private readonly openAlarmIds;
  private readonly insertAlarmRow;
  private readonly repeatAlarmRow;
  private readonly alarmRow;
  private readonly clearAlarmRow;

  constructor(private readonly db: Database) {
    this.insertFiring = db.prepare('INSERT INTO rule_firings (id, rule_id, at, body) VALUES (?, ?, ?, ?)');
    this.countFiring = db.prepare(
      'UPDATE rule_linkage SET firings = firings + ?, last_fired_at = max(coalesce(last_fired_at, 0), ?) WHERE id = ?',
    );
    this.pruneFirings = db.prepare('DELETE FROM rule_firings WHERE rowid <= (SELECT max(rowid) FROM rule_firings) - ?');
    this.insertOutbox = db.prepare('INSERT INTO rule_outbox (rule_id, at, decision) VALUES (?, ?, ?)');
    this.deleteOutbox = db.prepare('DELETE FROM rule_outbox WHERE seq <= ?');
    this.upsertState = db.prepare(
      'INSERT INTO rule_state (rule_id, key, body) VALUES (?, ?, ?) ON CONFLICT (rule_id, key) DO UPDATE SET body = excluded.body',
    );
    this.openAlarmRow = db.prepare<[string, string | null, string], AlarmRow>(
      `SELECT * FROM rule_alarms WHERE rule_id = ? AND device_id IS ? AND name = ? AND state != 'cleared'`,
    );
    this.openAlarmIds = db.prepare<[string, string | null], { id: string }>(
      `SELECT id FROM rule_alarms WHERE rule_id = ? AND device_id IS ? AND state != 'cleared'`,
    );
    this.insertAlarmRow = db.prepare(
      `INSERT INTO rule_alarms (id, app_id, device_id, rule_id, level, name, content, first_at, last_at, count, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'active')`,
    );
    this.repeatAlarmRow = db.prepare(
      'UPDATE rule_alarms SET count = count + 1, last_at = ?, level = ?, content = ? WHERE id = ?',
    );
    this.alarmRow = db.prepare<[string], AlarmRow>('SELECT * FROM rule_alarms WHERE id = ?');
    this.clearAlarmRow = db.prepare(
      `UPDATE rule_alarms SET state = 'cleared', cleared_at = ?, cleared_by = ? WHERE id = ?`,
    );
    this.insertBacklog = db.prepare('INSERT INTO rule_backlog (target_id, body) VALUES (?, ?)');
    this.dropOldest = db.prepare(
      'DELETE FROM rule_backlog WHERE seq IN (SELECT seq FROM rule_backlog WHERE target_id = ? ORDER BY seq LIMIT ?)',
    );
    this.addDrops = db.prepare('UPDATE rule_targets SET drops = drops + ? WHERE id = ?');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- linkage rules

  private linkageOf(row: LinkageRow): LinkageRule {
    const body = linkageRuleBodySchema.parse(JSON.parse(row.body));
    return {
      ruleId: row.id,
      appId: row.app_id,
      name: body.name,
      description: body.description,
      logic: body.logic,
      conditions: body.conditions,
      actions: body.actions,
      ...(body.timeRange ? { timeRange: body.timeRange } : {}),
      matchNow: body.matchNow,
      enabled: row.enabled === 1,
      createdAt: iso(row.created_at),
      firings: row.firings,
      ...(row.last_fired_at !== null ? { lastFiredAt: iso(row.last_fired_at) } : {}),
    };
  }

  linkageRules(appId?: string): LinkageRule[] {
    const rows = this.db
      .prepare<[], LinkageRow>('SELECT * FROM rule_linkage ORDER BY created_at, id')
      .all()
      .filter((r) => appId === undefined || r.app_id === appId);
    return rows.map((r) => this.linkageOf(r));
  }

  linkageRule(ruleId: string): LinkageRule | undefined {
    const row = this.db.prepare<[string], LinkageRow>('SELECT * FROM rule_linkage WHERE id = ?').get(ruleId);
    return row && this.linkageOf(row);
  }

  saveLinkageRule(ruleId: string, appId: string, input: LinkageRuleInput, now: number): void {
    const { appId: _ignored, enabled, ...body } = input;
    this.db
      .prepare(
        `INSERT INTO rule_linkage (id, app_id, body, enabled, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, enabled = excluded.enabled, app_id = excluded.app_id`,
      )
      .run(ruleId, appId, JSON.stringify({ ...body, enabled }), enabled ? 1 : 0, now);
  }

  setLinkageEnabled(ruleId: string, enabled: boolean): void {
    this.db.prepare('UPDATE rule_linkage SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, ruleId);
  }

  deleteLinkageRule(ruleId: string): boolean {
    return this.db.prepare('DELETE FROM rule_linkage WHERE id = ?').run(ruleId).changes > 0;
  }

  /** Firings are counted on their rules by `countFirings`, once per rule for a whole batch. */
  recordFiring(firing: RuleFiring, at: number): void {
    this.insertFiring.run(firing.firingId, firing.ruleId, at, JSON.stringify(firing));
  }

  countFirings(ruleId: string, count: number, lastAt: number): void {
    this.countFiring.run(count, lastAt, ruleId);
  }

  /** Keeps the newest firings only (rowids grow with every firing). */
  pruneOldFirings(): void {
    this.pruneFirings.run(MAX_FIRINGS);
  }

  // ---- what the engine decided and knows, for a restart

  /** A firing or recovery decided in the report's transaction; removed once its actions ran. */
  addToOutbox(ruleId: string, at: number, decision: unknown): number {
    return Number(this.insertOutbox.run(ruleId, at, JSON.stringify(decision)).lastInsertRowid);
  }

  /** Removes what ran: the outbox runs in order, so everything up to `seq`. */
  removeFromOutbox(upToSeq: number): void {
    this.deleteOutbox.run(upToSeq);
  }

  dropFromOutbox(seq: number): void {
    this.db.prepare('DELETE FROM rule_outbox WHERE seq = ?').run(seq);
  }

  outbox(): { seq: number; ruleId: string; at: number; decision: unknown }[] {
    return this.db
      .prepare<[], { seq: number; rule_id: string; at: number; decision: string }>(
        'SELECT seq, rule_id, at, decision FROM rule_outbox ORDER BY seq',
      )
      .all()
      .map((r) => ({ seq: r.seq, ruleId: r.rule_id, at: r.at, decision: JSON.parse(r.decision) as unknown }));
  }

  saveRuleState(ruleId: string, key: string, body: unknown): void {
    this.upsertState.run(ruleId, key, JSON.stringify(body));
  }

  ruleStates(ruleId: string): { key: string; body: unknown }[] {
    return this.db
      .prepare<[string], { key: string; body: string }>('SELECT key, body FROM rule_state WHERE rule_id = ?')
      .all(ruleId)
      .map((r) => ({ key: r.key, body: JSON.parse(r.body) as unknown }));
  }

  forgetRuleState(ruleId: string): void {
    this.db.prepare('DELETE FROM rule_state WHERE rule_id = ?').run(ruleId);
  }

  firings(ruleId: string | undefined, limit: number): RuleFiring[] {
    const rows =
      ruleId === undefined
        ? this.db
            .prepare<[number], { body: string }>('SELECT body FROM rule_firings ORDER BY rowid DESC LIMIT ?')
            .all(limit)
        : this.db
            .prepare<[string, number], { body: string }>(
              'SELECT body FROM rule_firings WHERE rule_id = ? ORDER BY at DESC, rowid DESC LIMIT ?',
            )
            .all(ruleId, limit);
    return rows.map((r) => ruleFiringSchema.parse(JSON.parse(r.body)));
  }

  // ---- alarms

  private alarmOf(row: AlarmRow): Alarm {
    return alarmSchema.parse({
      alarmId: row.id,
      appId: row.app_id,
      deviceId: row.device_id,
      ruleId: row.rule_id,
      level: row.level,
      name: row.name,
      content: row.content,
      firstAt: iso(row.first_at),
      lastAt: iso(row.last_at),
      count: row.count,
      state: row.state,
      ...(row.cleared_at !== null ? { clearedAt: iso(row.cleared_at) } : {}),
      ...(row.cleared_by !== null ? { clearedBy: row.cleared_by } : {}),
    });
  }

  /** The open (active or acknowledged) alarm a rule raised with this name on this device: for repeats. */
  openAlarmRef(
    ruleId: string,
    deviceId: string | null,
    name: string,
  ): { alarmId: string; count: number; state: 'active' | 'acknowledged' } | undefined {
    const row = this.openAlarmRow.get(ruleId, deviceId, name);
    if (!row) return undefined;
    return { alarmId: row.id, count: row.count, state: row.state === 'acknowledged' ? 'acknowledged' : 'active' };
  }

  /** The open alarms a rule raised on a device (any name). */
  openAlarmsOf(ruleId: string, deviceId: string | null): string[] {
    return this.openAlarmIds.all(ruleId, deviceId).map((r) => r.id);
  }

  insertAlarm(alarm: {
    alarmId: string;
    appId: string;
    deviceId: string | null;
    ruleId: string | null;
    level: string;
    name: string;
    content: string;
    at: number;
  }): void {
    this.insertAlarmRow.run(
      alarm.alarmId,
      alarm.appId,
      alarm.deviceId,
      alarm.ruleId,
      alarm.level,
      alarm.name,
      alarm.content,
      alarm.at,
      alarm.at,
    );
  }

  repeatAlarm(alarmId: string, at: number, level: string, content: string): void {
    this.repeatAlarmRow.run(at, level, content, alarmId);
  }

  setAlarmState(alarmId: string, state: 'acknowledged' | 'cleared', at: number, by?: 'rule' | 'user'): void {
    if (state === 'cleared') this.clearAlarmRow.run(at, by ?? 'user', alarmId);
    else this.db.prepare(`UPDATE rule_alarms SET state = 'acknowledged' WHERE id = ?`).run(alarmId);
  }

  alarm(alarmId: string): Alarm | undefined {
    const row = this.alarmRow.get(alarmId);
    return row && this.alarmOf(row);
  }

  alarms(query: AlarmQuery): Alarm[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.appId !== undefined) {
      where.push('app_id = ?');
      args.push(query.appId);
    }
    if (query.deviceId !== undefined) {
      where.push('device_id = ?');
      args.push(query.deviceId);
    }
    if (query.level !== undefined) {
      where.push('level = ?');
      args.push(query.level);
    }
    if (query.state !== undefined) {
      where.push('state = ?');
      args.push(query.state);
    }
    const sql = `SELECT * FROM rule_alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY last_at DESC, id LIMIT ?`;
    return this.db
      .prepare<(string | number)[], AlarmRow>(sql)
      .all(...args, query.limit)
      .map((r) => this.alarmOf(r));
  }

  // ---- targets and backlog

  targets(): TargetRow[] {
    return this.db
      .prepare<
        [],
        {
          id: string;
          name: string;
          config: string;
          max_backlog: number;
          created_at: number;
          sent: number;
          drops: number;
        }
      >('SELECT * FROM rule_targets ORDER BY created_at, id')
      .all()
      .map((r) => ({
        id: r.id,
        name: r.name,
        config: targetConfigSchema.parse(JSON.parse(r.config)),
        maxBacklog: r.max_backlog,
        createdAt: r.created_at,
        sent: r.sent,
        drops: r.drops,
      }));
  }

  insertTarget(target: Omit<TargetRow, 'sent' | 'drops'>): void {
    this.db
      .prepare('INSERT INTO rule_targets (id, name, config, max_backlog, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(target.id, target.name, JSON.stringify(target.config), target.maxBacklog, target.createdAt);
  }

  deleteTarget(targetId: string): boolean {
    return this.transaction(() => {
      this.db.prepare('DELETE FROM rule_backlog WHERE target_id = ?').run(targetId);
      return this.db.prepare('DELETE FROM rule_targets WHERE id = ?').run(targetId).changes > 0;
    });
  }

  backlogCounts(): Map<string, number> {
    const rows = this.db
      .prepare<[], { target_id: string; n: number }>(
        'SELECT target_id, COUNT(*) AS n FROM rule_backlog GROUP BY target_id',
      )
      .all();
    return new Map(rows.map((r) => [r.target_id, r.n]));
  }

  enqueue(targetId: string, body: string): void {
    this.insertBacklog.run(targetId, body);
  }

  /** Drops the `count` oldest messages of a target's backlog and counts them as drops. */
  dropOldestOf(targetId: string, count: number): number {
    const dropped = this.dropOldest.run(targetId, count).changes;
    if (dropped > 0) this.addDrops.run(dropped, targetId);
    return dropped;
  }

  peek(targetId: string, limit: number): BacklogItem[] {
    return this.db
      .prepare<[string, number], BacklogItem>(
        'SELECT seq, body FROM rule_backlog WHERE target_id = ? ORDER BY seq LIMIT ?',
      )
      .all(targetId, limit);
  }

  /** Removes delivered messages and counts them as sent. */
  delivered(targetId: string, upToSeq: number, count: number): number {
    return this.transaction(() => {
      const removed = this.db
        .prepare('DELETE FROM rule_backlog WHERE target_id = ? AND seq <= ?')
        .run(targetId, upToSeq).changes;
      this.db.prepare('UPDATE rule_targets SET sent = sent + ? WHERE id = ?').run(count, targetId);
      return removed;
    });
  }

  // ---- forwarding rules

  forwardRules(appId?: string): ForwardRule[] {
    return this.db
      .prepare<
        [],
        {
          id: string;
          app_id: string;
          name: string;
          source: string;
          filter: string;
          target_ids: string;
          enabled: number;
          created_at: number;
        }
      >('SELECT * FROM rule_forwarding ORDER BY created_at, id')
      .all()
      .filter((r) => appId === undefined || r.app_id === appId)
      .map((r) => ({
        ruleId: r.id,
        appId: r.app_id,
        name: r.name,
        source: r.source === 'deviceInfo' ? 'deviceInfo' : 'data',
        filter: forwardFilterSchema.parse(JSON.parse(r.filter)),
        targetIds: targetIdsSchema.parse(JSON.parse(r.target_ids)),
        enabled: r.enabled === 1,
        createdAt: iso(r.created_at),
      }));
  }

  insertForwardRule(ruleId: string, appId: string, input: ForwardRuleInput, now: number): void {
    this.db
      .prepare(
        `INSERT INTO rule_forwarding (id, app_id, name, source, filter, target_ids, enabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        ruleId,
        appId,
        input.name,
        input.source,
        JSON.stringify(input.filter),
        JSON.stringify(input.targetIds),
        input.enabled ? 1 : 0,
        now,
      );
  }

  setForwardEnabled(ruleId: string, enabled: boolean): boolean {
    return (
      this.db.prepare('UPDATE rule_forwarding SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, ruleId).changes > 0
    );
  }

  deleteForwardRule(ruleId: string): boolean {
    return this.db.prepare('DELETE FROM rule_forwarding WHERE id = ?').run(ruleId).changes > 0;
  }
}
