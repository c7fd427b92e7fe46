// The gateways' own tables: each gateway's sub-device list version, since when it is gone, its pairing window, and
// the last status it reported for each of its sub-devices.
import type { Database } from 'better-sqlite3';
import type { Migration } from '../store/migrations.js';

export const gatewayMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'gateways and sub-device statuses',
    sql: `CREATE TABLE gateways (
      device_id TEXT PRIMARY KEY,
      version INTEGER NOT NULL DEFAULT 0,
      offline_since INTEGER,
      pairing_until INTEGER,
      pairing_command_id TEXT
    );
    CREATE TABLE sub_device_statuses (
      device_id TEXT PRIMARY KEY,
      gateway_id TEXT NOT NULL,
      status TEXT NOT NULL,
      reported_at INTEGER NOT NULL
    );
    CREATE INDEX sub_device_statuses_gateway ON sub_device_statuses (gateway_id);`,
  },
  {
    version: 2,
    name: 'notifies waiting for their gateway',
    sql: `CREATE TABLE gateway_notifies (
      seq INTEGER PRIMARY KEY,
      gateway_id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      paras TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX gateway_notifies_gateway ON gateway_notifies (gateway_id, seq);`,
  },
];

export interface GatewayNotifyRow {
  seq: number;
  gateway_id: string;
  event_type: string;
  /** JSON of the event's paras. */
  paras: string;
  created_at: number;
}

export interface GatewayRow {
  device_id: string;
  version: number;
  offline_since: number | null;
  pairing_until: number | null;
  pairing_command_id: string | null;
}

export interface SubDeviceStatusRow {
  device_id: string;
  gateway_id: string;
  status: 'ONLINE' | 'OFFLINE';
  reported_at: number;
}

export class GatewayStore {
  constructor(private readonly db: Database) {}

  get(gatewayId: string): GatewayRow | undefined {
    return this.db.prepare<[string], GatewayRow>('SELECT * FROM gateways WHERE device_id = ?').get(gatewayId);
  }

  /** The next version of the gateway's sub-device list (the row is made on first use). */
  bumpVersion(gatewayId: string): number {
    return this.db
      .prepare<[string], { version: number }>(
        `INSERT INTO gateways (device_id, version) VALUES (?, 1)
         ON CONFLICT (device_id) DO UPDATE SET version = version + 1 RETURNING version`,
      )
      .get(gatewayId)!.version;
  }

  setOfflineSince(gatewayId: string, at: number | null): void {
    this.db
      .prepare(
        `INSERT INTO gateways (device_id, offline_since) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET offline_since = excluded.offline_since`,
      )
      .run(gatewayId, at);
  }

  openPairing(gatewayId: string, until: number, commandId: string): void {
    this.db
      .prepare(
        `INSERT INTO gateways (device_id, pairing_until, pairing_command_id) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET pairing_until = excluded.pairing_until,
           pairing_command_id = excluded.pairing_command_id`,
      )
      .run(gatewayId, until, commandId);
  }

  /** Gateways whose pairing window closes after `now`, to time their closing again after a restart. */
  openWindows(now: number): GatewayRow[] {
    return this.db.prepare<[number], GatewayRow>('SELECT * FROM gateways WHERE pairing_until > ?').all(now);
  }

  recordStatus(row: SubDeviceStatusRow): void {
    this.db
      .prepare(
        `INSERT INTO sub_device_statuses (device_id, gateway_id, status, reported_at) VALUES (@device_id, @gateway_id, @status, @reported_at)
         ON CONFLICT (device_id) DO UPDATE SET gateway_id = excluded.gateway_id, status = excluded.status, reported_at = excluded.reported_at`,
      )
      .run(row);
  }

  statusOf(deviceId: string): SubDeviceStatusRow | undefined {
    return this.db
      .prepare<[string], SubDeviceStatusRow>('SELECT * FROM sub_device_statuses WHERE device_id = ?')
      .get(deviceId);
  }

  statusesOf(gatewayId: string): Map<string, SubDeviceStatusRow> {
    const rows = this.db
      .prepare<[string], SubDeviceStatusRow>('SELECT * FROM sub_device_statuses WHERE gateway_id = ?')
      .all(gatewayId);
    return new Map(rows.map((r) => [r.device_id, r]));
  }

  /** Queued before it is sent: a notify to a gateway that is gone waits here for it, in order. */
  queueNotify(gatewayId: string, eventType: string, paras: string, at: number): void {
    this.db
      .prepare('INSERT INTO gateway_notifies (gateway_id, event_type, paras, created_at) VALUES (?, ?, ?, ?)')
      .run(gatewayId, eventType, paras, at);
  }

  nextNotify(gatewayId: string): GatewayNotifyRow | undefined {
    return this.db
      .prepare<[string], GatewayNotifyRow>('SELECT * FROM gateway_notifies WHERE gateway_id = ? ORDER BY seq LIMIT 1')
      .get(gatewayId);
  }

  removeNotify(seq: number): void {
    this.db.prepare('DELETE FROM gateway_notifies WHERE seq = ?').run(seq);
  }

  queuedNotifies(gatewayId: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM gateway_notifies WHERE gateway_id = ?').get(gatewayId) as {
        n: number;
      }
    ).n;
  }

  /** A deleted device: its own rows, the statuses it reported and the notifies waiting for it as a gateway. */
  forget(deviceId: string): void {
    this.db.prepare('DELETE FROM gateway_notifies WHERE gateway_id = ?').run(deviceId);
    this.db.prepare('DELETE FROM sub_device_statuses WHERE device_id = ? OR gateway_id = ?').run(deviceId, deviceId);
    this.db.prepare('DELETE FROM gateways WHERE device_id = ?').run(deviceId);
  }
}
