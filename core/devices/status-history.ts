// Status timeline of each device: the transitions the status engine publishes, kept in a small bounded table.
import type { Database } from 'better-sqlite3';
import type { EventBus } from '../bus/event-bus.js';
import type { DeviceStatusChange } from '../contract/devices.js';
import type { Migration } from '../store/migrations.js';

export const statusHistoryMigration: Migration = {
  version: 2,
  name: 'device status history',
  sql: `CREATE TABLE device_status_events (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX device_status_events_device ON device_status_events (device_id, id);`,
};

/** Older transitions of a device are dropped beyond this many, so a flapping device cannot grow the file. */
export const STATUS_EVENTS_KEPT_PER_DEVICE = 500;

interface StatusRow {
  id: number;
  status: DeviceStatusChange['status'];
  at: number;
}

export class DeviceStatusHistory {
  private readonly insert;
  private readonly trim;
  private readonly forget;

  constructor(private readonly db: Database) {
    this.insert = db.prepare('INSERT INTO device_status_events (device_id, status, at) VALUES (?, ?, ?)');
    this.trim = db.prepare(
      `DELETE FROM device_status_events WHERE device_id = ? AND id <= (
         SELECT id FROM device_status_events WHERE device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.forget = db.prepare('DELETE FROM device_status_events WHERE device_id = ?');
  }

  /** Records the engine's transitions from the bus; returns the unsubscribe function. */
  follow(bus: EventBus): () => void {
    return bus.subscribe('device', (e) => {
      if (e.kind === 'deleted') this.forget.run(e.deviceId);
      else if (e.kind === 'online' || e.kind === 'offline' || e.kind === 'abnormal')
        this.record(e.deviceId, e.kind, e.at);
    });
  }

  record(deviceId: string, status: DeviceStatusChange['status'], at: number): void {
    const { lastInsertRowid } = this.insert.run(deviceId, status, at);
    // Trimming on every 50th row keeps the cost off the hot path while bounding each device's rows.
    if (Number(lastInsertRowid) % 50 === 0) this.trim.run(deviceId, deviceId, STATUS_EVENTS_KEPT_PER_DEVICE);
  }

  /** Newest first; `cursor` is the id of the last row of the previous page. */
  list(deviceId: string, limit: number, cursor?: number): { items: DeviceStatusChange[]; nextCursor?: number } {
    const rows = this.db
      .prepare<[string, number, number], StatusRow>(
        'SELECT id, status, at FROM device_status_events WHERE device_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      )
      .all(deviceId, cursor ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({ id: r.id, status: r.status, at: new Date(r.at).toISOString() })),
      ...(rows.length > limit && last ? { nextCursor: last.id } : {}),
    };
  }
}
