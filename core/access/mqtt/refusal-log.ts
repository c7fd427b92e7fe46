// Refused logins, ACL violations, oversized packets and replaced sessions, kept in the access capability's own table.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import type { MqttRefusal } from '../../contract/devices.js';
import type { Migration } from '../../store/migrations.js';

export const mqttAccessMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'refusals',
    sql: `CREATE TABLE mqtt_refusals (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      peer TEXT NOT NULL,
      client_id TEXT NOT NULL,
      username TEXT NOT NULL,
      device_id TEXT,
      reason TEXT NOT NULL
    );`,
  },
];

const KEEP = 10_000;

export type RefusalInput = Omit<MqttRefusal, 'id' | 'at'>;

export class RefusalLog {
  private readonly insert;
  private inserted = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(
      'INSERT INTO mqtt_refusals (at, kind, peer, client_id, username, device_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  record(r: RefusalInput): void {
    this.insert.run(
      this.clock.now(),
      r.kind,
      r.peer,
      r.clientId.slice(0, 256),
      r.username.slice(0, 256),
      r.deviceId ?? null,
      r.reason,
    );
    if (++this.inserted % 500 === 0) {
      this.db.prepare('DELETE FROM mqtt_refusals WHERE id <= (SELECT MAX(id) FROM mqtt_refusals) - ?').run(KEEP);
    }
  }

  list(limit: number): MqttRefusal[] {
    return this.db
      .prepare<
        [number],
        {
          id: number;
          at: number;
          kind: MqttRefusal['kind'];
          peer: string;
          client_id: string;
          username: string;
          device_id: string | null;
          reason: string;
        }
      >('SELECT * FROM mqtt_refusals ORDER BY id DESC LIMIT ?')
      .all(limit)
      .map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        kind: r.kind,
        peer: r.peer,
        clientId: r.client_id,
        username: r.username,
        ...(r.device_id === null ? {} : { deviceId: r.device_id }),
        reason: r.reason,
      }));
  }
}
