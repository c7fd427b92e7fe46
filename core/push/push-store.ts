// The push tables: subscriptions, the durable delivery queue, callback URL state, recent deliveries, CAs.
import type { Database } from 'better-sqlite3';
import type { Migration } from '../store/migrations.js';
import type { NotifyType, UrlStateName } from '../contract/push.js';

export const pushMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'subscriptions, delivery queue, url state, deliveries, callback CAs',
    sql: `CREATE TABLE push_subscriptions (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      owner_app_id TEXT NOT NULL,
      notify_type TEXT NOT NULL,
      callback_url TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX push_subscriptions_app ON push_subscriptions (app_id, notify_type);
    CREATE TABLE push_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      url TEXT NOT NULL,
      notify_type TEXT NOT NULL,
      device_id TEXT,
      request_id TEXT,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      first_failed_at INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX push_messages_url ON push_messages (url, id);
    CREATE TABLE push_urls (
      url TEXT PRIMARY KEY,
      state TEXT NOT NULL DEFAULT 'ok',
      failures INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      last_error_at INTEGER,
      last_success_at INTEGER,
      delivered INTEGER NOT NULL DEFAULT 0,
      dropped INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE push_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      url TEXT NOT NULL,
      at INTEGER NOT NULL,
      notify_type TEXT NOT NULL,
      device_id TEXT,
      outcome TEXT NOT NULL,
      status_code INTEGER,
      latency_ms INTEGER,
      error TEXT,
      body TEXT NOT NULL
    );
    CREATE INDEX push_deliveries_url ON push_deliveries (url, id);
    CREATE TABLE push_cas (
      host_port TEXT PRIMARY KEY,
      ca_pem TEXT NOT NULL,
      check_cn INTEGER NOT NULL,
      sni INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );`,
  },
];

export interface SubscriptionRow {
  id: string;
  app_id: string;
  owner_app_id: string;
  notify_type: NotifyType;
  callback_url: string;
  created_at: number;
}

export interface MessageRow {
  id: number;
  url: string;
  notify_type: string;
  device_id: string | null;
  request_id: string | null;
  body: string;
  created_at: number;
  first_failed_at: number | null;
  attempts: number;
}

export interface UrlRow {
  url: string;
  state: UrlStateName;
  failures: number;
  last_error: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
  delivered: number;
  dropped: number;
}

export interface DeliveryRow {
  id: number;
  url: string;
  at: number;
  notify_type: string;
  device_id: string | null;
  outcome: 'delivered' | 'failed' | 'rejected' | 'dropped' | 'probe';
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  body: string;
}

export interface CaRow {
  host_port: string;
  ca_pem: string;
  check_cn: number;
  sni: number;
  created_at: number;
}

/** Recent deliveries kept per URL (the UI's list); older ones are trimmed. */
export const DELIVERIES_KEPT = 200;

export class PushStore {
  private readonly insertMessage;
  private readonly deleteMessage;
  private readonly selectHead;
  private readonly insertDelivery;
  private readonly trimDeliveries;
  private readonly ensureUrl;
  private readonly selectUrl;

  constructor(readonly db: Database) {
    this.insertMessage = db.prepare(
      `INSERT INTO push_messages (url, notify_type, device_id, request_id, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.deleteMessage = db.prepare('DELETE FROM push_messages WHERE id = ?');
    this.selectHead = db.prepare<[string, number], MessageRow>(
      'SELECT * FROM push_messages WHERE url = ? ORDER BY id LIMIT ?',
    );
    this.insertDelivery = db.prepare(
      `INSERT INTO push_deliveries (url, at, notify_type, device_id, outcome, status_code, latency_ms, error, body)
       VALUES (@url, @at, @notify_type, @device_id, @outcome, @status_code, @latency_ms, @error, @body)`,
    );
    this.trimDeliveries = db.prepare(
      `DELETE FROM push_deliveries WHERE url = ? AND id <= (
         SELECT id FROM push_deliveries WHERE url = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.ensureUrl = db.prepare('INSERT INTO push_urls (url) VALUES (?) ON CONFLICT (url) DO NOTHING');
    this.selectUrl = db.prepare<[string], UrlRow>('SELECT * FROM push_urls WHERE url = ?');
  }

  // Subscriptions

  addSubscription(row: SubscriptionRow): void {
    this.db
      .prepare(
        `INSERT INTO push_subscriptions (id, app_id, owner_app_id, notify_type, callback_url, created_at)
         VALUES (@id, @app_id, @owner_app_id, @notify_type, @callback_url, @created_at)`,
      )
      .run(row);
  }

  subscription(id: string): SubscriptionRow | undefined {
    return this.db.prepare<[string], SubscriptionRow>('SELECT * FROM push_subscriptions WHERE id = ?').get(id);
  }

  subscriptions(): SubscriptionRow[] {
    return this.db.prepare<[], SubscriptionRow>('SELECT * FROM push_subscriptions ORDER BY created_at, rowid').all();
  }

  deleteSubscriptions(ids: readonly string[]): void {
    const del = this.db.prepare('DELETE FROM push_subscriptions WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => del.run(id)))();
  }

  // Queue

  enqueue(
    url: string,
    notifyType: string,
    deviceId: string | null,
    requestId: string | null,
    body: string,
    at: number,
  ) {
    this.ensureUrl.run(url);
    return Number(this.insertMessage.run(url, notifyType, deviceId, requestId, body, at).lastInsertRowid);
  }

  head(url: string, limit: number): MessageRow[] {
    return this.selectHead.all(url, limit);
  }

  remove(id: number): void {
    this.deleteMessage.run(id);
  }

  markFailed(id: number, at: number): void {
    this.db
      .prepare(
        'UPDATE push_messages SET attempts = attempts + 1, first_failed_at = COALESCE(first_failed_at, ?) WHERE id = ?',
      )
      .run(at, id);
  }

  /** Drops every queued message of a URL; answers how many. */
  dropAll(url: string): number {
    return this.db.prepare('DELETE FROM push_messages WHERE url = ?').run(url).changes;
  }

  depths(): Map<string, number> {
    const rows = this.db
      .prepare<[], { url: string; n: number }>('SELECT url, COUNT(*) AS n FROM push_messages GROUP BY url')
      .all();
    return new Map(rows.map((r) => [r.url, r.n]));
  }

  // URL state

  url(url: string): UrlRow | undefined {
    return this.selectUrl.get(url);
  }

  urls(): UrlRow[] {
    return this.db.prepare<[], UrlRow>('SELECT * FROM push_urls').all();
  }

  touchUrl(url: string): UrlRow {
    this.ensureUrl.run(url);
    return this.selectUrl.get(url) as UrlRow;
  }

  saveUrl(row: UrlRow): void {
    this.db
      .prepare(
        `UPDATE push_urls SET state = @state, failures = @failures, last_error = @last_error,
           last_error_at = @last_error_at, last_success_at = @last_success_at, delivered = @delivered,
           dropped = @dropped WHERE url = @url`,
      )
      .run(row);
  }

  // Deliveries

  recordDelivery(row: Omit<DeliveryRow, 'id'>): void {
    const id = Number(this.insertDelivery.run(row).lastInsertRowid);
    if (id % 50 === 0) this.trimDeliveries.run(row.url, row.url, DELIVERIES_KEPT);
  }

  deliveries(url: string, limit: number): DeliveryRow[] {
    return this.db
      .prepare<[string, number], DeliveryRow>('SELECT * FROM push_deliveries WHERE url = ? ORDER BY id DESC LIMIT ?')
      .all(url, limit);
  }

  // CAs

  putCa(row: CaRow): void {
    this.db
      .prepare(
        `INSERT INTO push_cas (host_port, ca_pem, check_cn, sni, created_at) VALUES (@host_port, @ca_pem, @check_cn, @sni, @created_at)
         ON CONFLICT (host_port) DO UPDATE SET ca_pem = excluded.ca_pem, check_cn = excluded.check_cn, sni = excluded.sni`,
      )
      .run(row);
  }

  ca(hostPort: string): CaRow | undefined {
    return this.db.prepare<[string], CaRow>('SELECT * FROM push_cas WHERE host_port = ?').get(hostPort);
  }

  cas(): CaRow[] {
    return this.db.prepare<[], CaRow>('SELECT * FROM push_cas ORDER BY host_port').all();
  }

  deleteCa(hostPort: string): boolean {
    return this.db.prepare('DELETE FROM push_cas WHERE host_port = ?').run(hostPort).changes > 0;
  }
}
