// The shadow's tables: desired values per device, service and property (with their delivery state and mismatch
// age), the shadow version per device, the history of desired changes and the deliveries that carried them.
// Reported values are not copied here: they are the data capability's latest values.
import type { Database } from 'better-sqlite3';
import type { DesiredDeliveryState } from '../contract/shadow.js';
import type { Migration } from '../store/migrations.js';

export const shadowMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'desired values, versions, history, deliveries',
    sql: `CREATE TABLE shadow_desired (
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      set_at INTEGER NOT NULL,
      set_by TEXT NOT NULL,
      delivery TEXT NOT NULL,
      delivery_id TEXT,
      reason TEXT,
      mismatch_since INTEGER,
      PRIMARY KEY (device_id, service_id, property)
    );
    CREATE TABLE shadow_versions (device_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
    CREATE TABLE shadow_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      property TEXT NOT NULL,
      old_value TEXT,
      new_value TEXT NOT NULL,
      set_by TEXT NOT NULL,
      at INTEGER NOT NULL,
      delivery_id TEXT
    );
    CREATE INDEX shadow_history_device ON shadow_history (device_id, id);
    CREATE TABLE shadow_deliveries (
      id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL,
      service_id TEXT NOT NULL,
      properties TEXT NOT NULL,
      command_ids TEXT NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      created_at INTEGER NOT NULL,
      finished_at INTEGER
    );
    CREATE INDEX shadow_deliveries_open ON shadow_deliveries (status) WHERE status = 'SENDING';`,
  },
];

export interface DesiredRow {
  device_id: string;
  service_id: string;
  property: string;
  value: string;
  set_at: number;
  set_by: string;
  delivery: DesiredDeliveryState;
  delivery_id: string | null;
  reason: string | null;
  mismatch_since: number | null;
}

export interface HistoryRow {
  id: number;
  device_id: string;
  service_id: string;
  property: string;
  old_value: string | null;
  new_value: string;
  set_by: string;
  at: number;
  delivery_id: string | null;
}

export interface DeliveryRow {
  id: string;
  device_id: string;
  service_id: string;
  properties: string;
  command_ids: string;
  status: 'SENDING' | 'DELIVERED' | 'FAILED';
  reason: string | null;
  created_at: number;
  finished_at: number | null;
}

export class ShadowStore {
  private readonly selectDesired;
  private readonly selectOneDesired;
  private readonly upsertDesired;
  private readonly updateMismatch;
  private readonly markDelivery;
  private readonly selectVersion;
  private readonly bumpVersion;
  private readonly insertHistory;
  private readonly selectHistory;
  private readonly insertDelivery;
  private readonly selectDelivery;
  private readonly selectOpenDeliveries;
  private readonly finishDelivery;
  private readonly selectDevicesWithDesired;
  readonly transaction: <T>(fn: () => T) => T;

  constructor(private readonly db: Database) {
    this.selectDesired = db.prepare<[string], DesiredRow>(
      'SELECT * FROM shadow_desired WHERE device_id = ? ORDER BY service_id, property',
    );
    this.selectOneDesired = db.prepare<[string, string, string], DesiredRow>(
      'SELECT * FROM shadow_desired WHERE device_id = ? AND service_id = ? AND property = ?',
    );
    this.upsertDesired = db.prepare(
      `INSERT INTO shadow_desired (device_id, service_id, property, value, set_at, set_by, delivery, delivery_id, reason, mismatch_since)
       VALUES (@device_id, @service_id, @property, @value, @set_at, @set_by, @delivery, NULL, NULL, @mismatch_since)
       ON CONFLICT (device_id, service_id, property) DO UPDATE SET value = excluded.value, set_at = excluded.set_at,
         set_by = excluded.set_by, delivery = excluded.delivery, delivery_id = NULL, reason = NULL,
         mismatch_since = excluded.mismatch_since`,
    );
    this.updateMismatch = db.prepare(
      'UPDATE shadow_desired SET mismatch_since = ? WHERE device_id = ? AND service_id = ? AND property = ?',
    );
    this.markDelivery = db.prepare(
      `UPDATE shadow_desired SET delivery = ?, delivery_id = ?, reason = ?
       WHERE device_id = ? AND service_id = ? AND property = ? AND value = ?`,
    );
    this.selectVersion = db.prepare<[string], { version: number }>(
      'SELECT version FROM shadow_versions WHERE device_id = ?',
    );
    this.bumpVersion = db.prepare(
      `INSERT INTO shadow_versions (device_id, version) VALUES (?, 1)
       ON CONFLICT (device_id) DO UPDATE SET version = version + 1`,
    );
    this.insertHistory = db.prepare(
      `INSERT INTO shadow_history (device_id, service_id, property, old_value, new_value, set_by, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectHistory = db.prepare<[string, number], HistoryRow>(
      'SELECT * FROM shadow_history WHERE device_id = ? ORDER BY id DESC LIMIT ?',
    );
    this.insertDelivery = db.prepare(
      `INSERT INTO shadow_deliveries (id, device_id, service_id, properties, command_ids, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'SENDING', ?)`,
    );
    this.selectDelivery = db.prepare<[string], DeliveryRow>('SELECT * FROM shadow_deliveries WHERE id = ?');
    this.selectOpenDeliveries = db.prepare<[], DeliveryRow>(
      `SELECT * FROM shadow_deliveries WHERE status = 'SENDING' ORDER BY created_at`,
    );
    this.finishDelivery = db.prepare(
      `UPDATE shadow_deliveries SET status = ?, reason = ?, finished_at = ? WHERE id = ? AND status = 'SENDING'`,
    );
    this.selectDevicesWithDesired = db.prepare<[], { device_id: string }>(
      'SELECT DISTINCT device_id FROM shadow_desired',
    );
    this.transaction = <T>(fn: () => T) => db.transaction(fn)();
  }

  desired(deviceId: string): DesiredRow[] {
    return this.selectDesired.all(deviceId);
  }

  desiredOne(deviceId: string, serviceId: string, property: string): DesiredRow | undefined {
    return this.selectOneDesired.get(deviceId, serviceId, property);
  }

  setDesired(row: Omit<DesiredRow, 'delivery_id' | 'reason'>): void {
    this.upsertDesired.run(row);
  }

  setMismatch(deviceId: string, serviceId: string, property: string, since: number | null): void {
    this.updateMismatch.run(since, deviceId, serviceId, property);
  }

  /** Marks the property's delivery, unless its desired value changed meanwhile (`value` is what was sent). */
  setDelivery(
    deviceId: string,
    serviceId: string,
    property: string,
    value: string,
    state: DesiredDeliveryState,
    deliveryId: string | null,
    reason: string | null,
  ): void {
    this.markDelivery.run(state, deliveryId, reason, deviceId, serviceId, property, value);
  }

  version(deviceId: string): number {
    return this.selectVersion.get(deviceId)?.version ?? 0;
  }

  bump(deviceId: string): void {
    this.bumpVersion.run(deviceId);
  }

  addHistory(
    deviceId: string,
    serviceId: string,
    property: string,
    oldValue: string | null,
    newValue: string,
    by: string,
    at: number,
  ): void {
    this.insertHistory.run(deviceId, serviceId, property, oldValue, newValue, by, at);
  }

  history(deviceId: string, limit: number): HistoryRow[] {
    return this.selectHistory.all(deviceId, limit);
  }

  addDelivery(
    id: string,
    deviceId: string,
    serviceId: string,
    properties: Record<string, unknown>,
    commandIds: string[],
    at: number,
  ): void {
    this.insertDelivery.run(id, deviceId, serviceId, JSON.stringify(properties), JSON.stringify(commandIds), at);
    // The history rows of these values name the delivery that carried them.
    const link = this.db.prepare(
      `UPDATE shadow_history SET delivery_id = ? WHERE device_id = ? AND service_id = ? AND property = ?
         AND new_value = ? AND delivery_id IS NULL`,
    );
    for (const [property, value] of Object.entries(properties))
      link.run(id, deviceId, serviceId, property, JSON.stringify(value));
  }

  delivery(id: string): DeliveryRow | undefined {
    return this.selectDelivery.get(id);
  }

  openDeliveries(): DeliveryRow[] {
    return this.selectOpenDeliveries.all();
  }

  finish(id: string, status: 'DELIVERED' | 'FAILED', reason: string | null, at: number): boolean {
    return this.finishDelivery.run(status, reason, at, id).changes > 0;
  }

  devicesWithDesired(): string[] {
    return this.selectDevicesWithDesired.all().map((r) => r.device_id);
  }

  forgetDevice(deviceId: string): void {
    for (const table of ['shadow_desired', 'shadow_versions', 'shadow_history', 'shadow_deliveries'])
      this.db.prepare(`DELETE FROM ${table} WHERE device_id = ?`).run(deviceId);
  }
}
