// Refused LwM2M registrations (unknown endpoint, bad parameters), kept in the CoAP access capability's own table.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import type { Lwm2mRefusal } from '../../contract/lwm2m.js';
import type { Migration } from '../../store/migrations.js';

export const refusalsMigration: Migration = {
  version: 1,
  name: 'refusals',
  sql: `CREATE TABLE lwm2m_refusals (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      endpoint TEXT NOT NULL,
      peer TEXT NOT NULL,
      reason TEXT NOT NULL
    );`,
};

const KEEP = 10_000;

export class Lwm2mRefusalLog {
  private readonly insert;
  private inserted = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare('INSERT INTO lwm2m_refusals (at, endpoint, peer, reason) VALUES (?, ?, ?, ?)');
  }

  record(r: { endpoint: string; peer: string; reason: string }): void {
    this.insert.run(this.clock.now(), r.endpoint.slice(0, 256), r.peer, r.reason.slice(0, 1000));
    if (++this.inserted % 500 === 0) {
      this.db.prepare('DELETE FROM lwm2m_refusals WHERE id <= (SELECT MAX(id) FROM lwm2m_refusals) - ?').run(KEEP);
    }
  }

  list(limit: number): Lwm2mRefusal[] {
    return this.db
      .prepare<[number], { id: number; at: number; endpoint: string; peer: string; reason: string }>(
        'SELECT * FROM lwm2m_refusals ORDER BY id DESC LIMIT ?',
      )
      .all(limit)
      .map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        endpoint: r.endpoint,
        peer: r.peer,
        reason: r.reason,
      }));
  }
}
