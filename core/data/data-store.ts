// Property history, latest values per service and rejected uplinks; writes are batched into one transaction per tick.
import type { Database } from 'better-sqlite3';
import { DomainError } from '../domain-error.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import type { HistoryItem, HistoryQuery } from '../contract/devices.js';
import type { Migration } from '../store/migrations.js';
import { parseEventTime, parseTimeBound } from './event-time.js';
import type { ServiceReport } from '../contract/codecs.js';

export const dataMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'history, latest values, uplink errors',
    sql: `CREATE TABLE data_history (
      id INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL
    );
    CREATE INDEX data_history_device ON data_history (device_id, id);
    CREATE INDEX data_history_device_service ON data_history (device_id, service_id, property, event_time);
    CREATE INDEX data_history_received ON data_history (received_at);
    CREATE TABLE data_latest (
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      data TEXT NOT NULL,
      event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, service_id)
    );
    CREATE TABLE data_uplink_errors (
      id INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      code TEXT NOT NULL,
      message TEXT NOT NULL,
      raw BLOB NOT NULL,
      received_at INTEGER NOT NULL
    );
    CREATE INDEX data_uplink_errors_device ON data_uplink_errors (device_id, id);
    CREATE TABLE data_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 2,
    name: 'history staged in an unindexed table and merged into the indexed one device by device',
    // Each device-keyed index costs a B-tree page write per device per commit; staging the rows and merging them
    // ordered by device turns that into one page write per device per merge. Ids follow receive order, so the purge
    // goes by id and the receive-time index goes.
    sql: `DROP INDEX data_history_received;
    CREATE TABLE data_history_recent (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      grp INTEGER NOT NULL,
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      event_time INTEGER NOT NULL,
      received_at INTEGER NOT NULL
    );
    INSERT INTO sqlite_sequence (name, seq) SELECT 'data_history_recent', COALESCE(MAX(id), 0) FROM data_history;`,
  },
  {
    version: 3,
    name: 'staged history found by merge group',
    // A merge step reads one group; without this it scanned every staged row once per group.
    sql: 'CREATE INDEX data_history_recent_group ON data_history_recent (grp, id);',
  },
];

export type { ServiceReport } from '../contract/codecs.js';

/** A stored report as ingest listeners see it: event times in ms (the report's own, else when it arrived). */
export interface IngestedReport {
  deviceId: string;
  receivedAt: number;
  services: { serviceId: string; properties: Record<string, unknown>; eventTime: number }[];
}

interface PendingReport {
  deviceId: string;
  services: ServiceReport[];
  receivedAt: number;
  done: (error?: Error) => void;
}

export const DEFAULT_RETENTION_DAYS = 7;
/** How often staged history rows move to the indexed table; the move runs group by group between other work. */
export const MERGE_EVERY_MS = 1000;
/** More groups, shorter steps: each merge step holds the event loop for about 1/MERGE_GROUPS of a second's rows. */
const MERGE_GROUPS = 64;
const HISTORY_COLUMNS = 'id, device_id, service_id, property, value, event_time, received_at';
const PURGE_EVERY_MS = 3600_000;
const PURGE_CHUNK = 5000;
const MAX_ERRORS_PER_DEVICE = 1000;

export class DataStore {
  private pending: PendingReport[] = [];
  private flushScheduled = false;
  private readonly insertHistory;
  private readonly upsertLatest;
  private readonly insertError;
  private readonly mergeGroup: (group: number, upToId: number) => void;
  private merging = false;
  private retentionDays: number;
  /** a device whose application switched history off still gets latest values, but no history rows. */
  private storesHistory: (deviceId: string) => boolean = () => true;
  private readonly ingestListeners = new Set<(report: IngestedReport) => void>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    this.insertHistory = db.prepare(
      'INSERT INTO data_history_recent (grp, device_id, service_id, property, value, event_time, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const moveGroup = db.prepare(
      `INSERT INTO data_history (${HISTORY_COLUMNS}) SELECT ${HISTORY_COLUMNS} FROM data_history_recent
       WHERE grp = ? AND id <= ? ORDER BY device_id, service_id, property, event_time`,
    );
    const dropGroup = db.prepare('DELETE FROM data_history_recent WHERE grp = ? AND id <= ?');
    this.mergeGroup = db.transaction((group: number, upToId: number) => {
      if (moveGroup.run(group, upToId).changes > 0) dropGroup.run(group, upToId);
    });
    this.upsertLatest = db.prepare(
      `INSERT INTO data_latest (device_id, service_id, data, event_time, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, service_id) DO UPDATE SET data = json_patch(data, excluded.data),
         event_time = excluded.event_time, received_at = excluded.received_at`,
    );
    this.insertError = db.prepare(
      'INSERT INTO data_uplink_errors (device_id, topic, code, message, raw, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const saved = db.prepare(`SELECT value FROM data_settings WHERE key = 'retentionDays'`).get() as
      { value: string } | undefined;
    this.retentionDays = saved ? Number(saved.value) : DEFAULT_RETENTION_DAYS;
    // Rows staged before a stop (or by a version grouping devices differently) go to the indexed table first.
    this.mergeAll();
  }

  setHistoryPolicy(storesHistory: (deviceId: string) => boolean): void {
    this.storesHistory = storesHistory;
  }

  /**
   * Called for each stored report inside the transaction that stores it, before the device is acknowledged: what
   * the listener writes (a queued push) commits with the data. A listener that throws does not lose the data.
   */
  onIngested(listener: (report: IngestedReport) => void): () => void {
    this.ingestListeners.add(listener);
    return () => this.ingestListeners.delete(listener);
  }

  /** Resolves once the report is committed (so an MQTT PUBACK is sent only after the data is durable). */
  ingest(deviceId: string, services: ServiceReport[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        deviceId,
        services,
        receivedAt: this.clock.now(),
        done: (e) => (e ? reject(e) : resolve()),
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const r of batch) {
          const keepHistory = this.storesHistory(r.deviceId);
          const group = keepHistory ? mergeGroupOf(r.deviceId) : 0;
          for (const s of r.services) {
            const eventTime = parseEventTime(s.eventTime) ?? r.receivedAt;
            if (keepHistory)
              for (const [property, value] of Object.entries(s.properties)) {
                this.insertHistory.run(
                  group,
                  r.deviceId,
                  s.serviceId,
                  property,
                  JSON.stringify(value ?? null),
                  eventTime,
                  r.receivedAt,
                );
              }
            this.upsertLatest.run(r.deviceId, s.serviceId, JSON.stringify(s.properties), eventTime, r.receivedAt);
          }
          if (this.ingestListeners.size > 0) this.announce(r);
        }
      })();
    } catch (error) {
      for (const r of batch) r.done(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const r of batch) {
      r.done();
      for (const s of r.services)
        this.bus.publish('data', {
          at: r.receivedAt,
          deviceId: r.deviceId,
          serviceId: s.serviceId,
          data: s.properties,
        });
    }
  }

  private announce(r: PendingReport): void {
    const report: IngestedReport = {
      deviceId: r.deviceId,
      receivedAt: r.receivedAt,
      services: r.services.map((s) => ({
        serviceId: s.serviceId,
        properties: s.properties,
        eventTime: parseEventTime(s.eventTime) ?? r.receivedAt,
      })),
    };
    for (const listener of this.ingestListeners) {
      try {
        listener(report);
      } catch {
        // Listeners log their own failures; the report is stored regardless.
      }
    }
  }

  recordError(deviceId: string, topic: string, error: { code: string; message: string }, raw: Uint8Array): void {
    const id = this.insertError.run(deviceId, topic, error.code, error.message, Buffer.from(raw), this.clock.now())
      .lastInsertRowid as number;
    if (id % 100 === 0) {
      this.db
        .prepare(
          'DELETE FROM data_uplink_errors WHERE device_id = ? AND id <= (SELECT id FROM data_uplink_errors WHERE device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
        )
        .run(deviceId, deviceId, MAX_ERRORS_PER_DEVICE);
    }
  }

  errors(deviceId: string, limit: number) {
    return this.db
      .prepare<
        [string, number],
        {
          id: number;
          device_id: string;
          topic: string;
          code: string;
          message: string;
          raw: Buffer;
          received_at: number;
        }
      >('SELECT * FROM data_uplink_errors WHERE device_id = ? ORDER BY id DESC LIMIT ?')
      .all(deviceId, limit)
      .map((r) => ({
        id: r.id,
        deviceId: r.device_id,
        topic: r.topic,
        code: r.code,
        message: r.message,
        rawBase64: r.raw.toString('base64'),
        receivedAt: new Date(r.received_at).toISOString(),
      }));
  }

  latest(deviceId: string) {
    return this.db
      .prepare<[string], { service_id: string; data: string; event_time: number; received_at: number }>(
        'SELECT * FROM data_latest WHERE device_id = ? ORDER BY service_id',
      )
      .all(deviceId)
      .map((r) => ({
        serviceId: r.service_id,
        data: JSON.parse(r.data) as Record<string, unknown>,
        eventTime: new Date(r.event_time).toISOString(),
        receivedAt: new Date(r.received_at).toISOString(),
      }));
  }

  private historyFilter(deviceId: string, query: Omit<HistoryQuery, 'cursor' | 'limit'>) {
    const bounds: { from?: number; to?: number } = {};
    for (const bound of ['from', 'to'] as const) {
      const raw = query[bound];
      if (raw === undefined) continue;
      const ms = parseTimeBound(raw);
      if (ms === undefined)
        throw new DomainError('BAD_TIME', `${bound} is not an ISO time or epoch ms`, `query.${bound}`);
      bounds[bound] = ms;
    }
    return historyWhere(deviceId, { serviceId: query.serviceId, property: query.property, ...bounds });
  }

  /**
   * Newest first. A device's staged rows are all newer than its merged ones (a merge takes all of a device's rows up
   * to an id), so a page reads the staged rows first and goes on into the indexed table.
   */
  history(deviceId: string, query: HistoryQuery): { items: HistoryItem[]; nextCursor?: number } {
    const { where, args } = this.historyFilter(deviceId, query);
    if (query.cursor !== undefined) {
      where.push('id < ?');
      args.push(query.cursor);
    }
    const rows: HistoryRow[] = [];
    for (const table of ['data_history_recent', 'data_history']) {
      const wanted = query.limit + 1 - rows.length;
      if (wanted <= 0) break;
      rows.push(
        ...this.db
          .prepare<unknown[], HistoryRow>(
            `SELECT ${HISTORY_COLUMNS} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
          )
          .all(...args, wanted),
      );
    }
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { items: page.map(historyItem), ...(rows.length > query.limit && last ? { nextCursor: last.id } : {}) };
  }

  /**
   * History as the northbound API returns it: one entry per reported service (its properties regrouped), newest
   * event first, offset-paged. Rows of one report share service, event time and receive time.
   */
  reportHistory(
    deviceId: string,
    query: { serviceId?: string; property?: string; from?: number; to?: number; offset: number; limit: number },
  ): { total: number; items: { serviceId: string; data: Record<string, unknown>; eventTime: number }[] } {
    const { where, args } = historyWhere(deviceId, query);
    const grouped = `FROM (SELECT ${HISTORY_COLUMNS} FROM data_history UNION ALL SELECT ${HISTORY_COLUMNS} FROM data_history_recent)
      WHERE ${where.join(' AND ')} GROUP BY service_id, event_time, received_at`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 ${grouped})`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare<unknown[], { service_id: string; data: string; event_time: number }>(
        `SELECT service_id, event_time, json_group_object(property, json(value)) AS data ${grouped}
         ORDER BY event_time DESC, MAX(id) DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset);
    return {
      total,
      items: rows.map((r) => ({
        serviceId: r.service_id,
        data: JSON.parse(r.data) as Record<string, unknown>,
        eventTime: r.event_time,
      })),
    };
  }

  *historyRows(deviceId: string, query: Omit<HistoryQuery, 'cursor' | 'limit'>): Generator<HistoryItem> {
    const { where, args } = this.historyFilter(deviceId, query);
    for (const table of ['data_history', 'data_history_recent']) {
      const stmt = this.db.prepare<unknown[], HistoryRow>(
        `SELECT ${HISTORY_COLUMNS} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id`,
      );
      for (const row of stmt.iterate(...args)) yield historyItem(row);
    }
  }

  deleteDevice(deviceId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM data_history WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM data_history_recent WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM data_latest WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM data_uplink_errors WHERE device_id = ?').run(deviceId);
    })();
  }

  getRetentionDays(): number {
    return this.retentionDays;
  }

  setRetentionDays(days: number): number {
    this.db
      .prepare(
        `INSERT INTO data_settings (key, value) VALUES ('retentionDays', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run(String(days));
    this.retentionDays = days;
    return days;
  }

  /**
   * Deletes rows received before the retention window, in chunks so writers are not blocked for long. Ids grow in
   * receive order, so the expired rows are the oldest ids up to the first row still inside the window (should the
   * clock ever go back, rows after that one wait until it expires too).
   */
  purge(): number {
    this.mergeAll();
    const before = this.clock.now() - this.retentionDays * 86_400_000;
    const kept = this.db
      .prepare<[number], { id: number }>('SELECT id FROM data_history WHERE received_at >= ? ORDER BY id LIMIT 1')
      .get(before);
    const stmt = this.db.prepare(
      'DELETE FROM data_history WHERE id IN (SELECT id FROM data_history WHERE id < ? ORDER BY id LIMIT ?)',
    );
    const boundary = kept?.id ?? Number.MAX_SAFE_INTEGER;
    let total = 0;
    for (;;) {
      const n = stmt.run(boundary, PURGE_CHUNK).changes;
      total += n;
      if (n < PURGE_CHUNK) break;
    }
    this.db.prepare('DELETE FROM data_uplink_errors WHERE received_at < ?').run(before);
    return total;
  }

  /** Moves every staged history row into the indexed table at once. */
  mergeAll(): void {
    const upTo = this.newestStagedId();
    if (upTo === undefined) return;
    for (let group = 0; group < MERGE_GROUPS; group++) this.mergeGroup(group, upTo);
  }

  /** Moves the rows staged so far one group per event-loop turn, so device traffic never waits long for the lock. */
  private mergeInSteps(): void {
    const upTo = this.newestStagedId();
    if (this.merging || upTo === undefined) return;
    this.merging = true;
    const step = (group: number) => {
      try {
        if (this.db.open) this.mergeGroup(group, upTo);
      } finally {
        if (group + 1 < MERGE_GROUPS && this.db.open) setImmediate(() => step(group + 1));
        else this.merging = false;
      }
    };
    step(0);
  }

  private newestStagedId(): number | undefined {
    return (
      (this.db.prepare('SELECT MAX(id) AS id FROM data_history_recent').get() as { id: number | null }).id ?? undefined
    );
  }

  /** The background work: merging staged history and purging old rows. */
  startBackgroundWork(): { cancel(): void } {
    // Merging is housekeeping on real time (a moved test clock must not run it thousands of times); the purge follows
    // the platform clock because retention is part of the behaviour.
    const merging = setInterval(() => this.mergeInSteps(), MERGE_EVERY_MS).unref();
    const purging = this.clock.setInterval(() => this.purge(), PURGE_EVERY_MS);
    return {
      cancel() {
        clearInterval(merging);
        purging.cancel();
      },
    };
  }
}

/** Staged rows are merged in groups of devices; all rows of one device are in one group. */
function mergeGroupOf(deviceId: string): number {
  let hash = 0;
  for (let i = 0; i < deviceId.length; i++) hash = (hash * 31 + deviceId.charCodeAt(i)) | 0;
  return (hash >>> 0) % MERGE_GROUPS;
}

interface HistoryRow {
  id: number;
  service_id: string;
  property: string;
  value: string;
  event_time: number;
  received_at: number;
}

function historyItem(r: HistoryRow): HistoryItem {
  return {
    id: r.id,
    serviceId: r.service_id,
    property: r.property,
    value: JSON.parse(r.value) as unknown,
    eventTime: new Date(r.event_time).toISOString(),
    receivedAt: new Date(r.received_at).toISOString(),
  };
}

/** The WHERE clause of a device's history rows: service, property and an event-time window in epoch ms. */
function historyWhere(
  deviceId: string,
  query: { serviceId?: string; property?: string; from?: number; to?: number },
): { where: string[]; args: (string | number)[] } {
  const where = ['device_id = ?'];
  const args: (string | number)[] = [deviceId];
  const clauses: [string, string | number | undefined][] = [
    ['service_id = ?', query.serviceId || undefined],
    ['property = ?', query.property || undefined],
    ['event_time >= ?', query.from],
    ['event_time <= ?', query.to],
  ];
  for (const [clause, value] of clauses) {
    if (value === undefined) continue;
    where.push(clause);
    args.push(value);
  }
  return { where, args };
}
