// LwM2M registrations and their observations in SQLite, so a restarted core still knows its devices (address,
// lifetime, objects, location, observation tokens) until their lifetime ends. Writes are batched per tick.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { lwm2mRegistrationSchema } from '../../contract/lwm2m.js';

export const registrationsMigration = {
  version: 2,
  name: 'registrations',
  sql: `CREATE TABLE lwm2m_registrations (
      device_id TEXT PRIMARY KEY,
      product_id TEXT NOT NULL,
      location TEXT NOT NULL UNIQUE,
      root_path TEXT NOT NULL,
      peer_address TEXT NOT NULL,
      peer_port INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      registration TEXT NOT NULL,
      observations TEXT NOT NULL
    );`,
} as const;

const storedObservationSchema = z.object({
  path: z.string().regex(/^(\/\d{1,5}){1,4}$/),
  tokenHex: z.string().regex(/^([0-9a-f]{2}){0,8}$/),
  since: z.string(),
});
export type StoredObservation = z.infer<typeof storedObservationSchema>;

export interface StoredRegistration {
  productId: string;
  rootPath: string;
  peer: { address: string; port: number };
  expiresAtMs: number;
  view: z.infer<typeof lwm2mRegistrationSchema>;
  observations: StoredObservation[];
}

interface Row {
  device_id: string;
  product_id: string;
  location: string;
  root_path: string;
  peer_address: string;
  peer_port: number;
  expires_at: number;
  registration: string;
  observations: string;
}

function fromRow(row: Row): StoredRegistration | undefined {
  try {
    const view = lwm2mRegistrationSchema.safeParse(JSON.parse(row.registration));
    const observations = z.array(storedObservationSchema).safeParse(JSON.parse(row.observations));
    if (!view.success || !observations.success || view.data.deviceId !== row.device_id) return undefined;
    return {
      productId: row.product_id,
      rootPath: row.root_path,
      peer: { address: row.peer_address, port: row.peer_port },
      expiresAtMs: row.expires_at,
      view: view.data,
      observations: observations.data,
    };
  } catch {
    return undefined;
  }
}

export class RegistrationStore {
  private readonly upsert;
  private readonly deleteOne;
  /** Writes waiting for the end of the tick: the newest state of each device, or null to delete it. */
  private pending = new Map<string, StoredRegistration | null>();
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO lwm2m_registrations
         (device_id, product_id, location, root_path, peer_address, peer_port, expires_at, registration, observations)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET product_id = excluded.product_id, location = excluded.location,
         root_path = excluded.root_path, peer_address = excluded.peer_address, peer_port = excluded.peer_port,
         expires_at = excluded.expires_at, registration = excluded.registration,
         observations = excluded.observations`,
    );
    this.deleteOne = db.prepare('DELETE FROM lwm2m_registrations WHERE device_id = ?');
  }

  /** Registrations still alive at `nowMs`; the ones that expired meanwhile (or cannot be read) are deleted. */
  load(nowMs: number): StoredRegistration[] {
    const rows = this.db.prepare<[], Row>('SELECT * FROM lwm2m_registrations').all();
    const alive: StoredRegistration[] = [];
    const dead: string[] = [];
    for (const row of rows) {
      const r = row.expires_at > nowMs ? fromRow(row) : undefined;
      if (r) alive.push(r);
      else dead.push(row.device_id);
    }
    if (dead.length) this.db.transaction(() => dead.forEach((id) => this.deleteOne.run(id)))();
    return alive;
  }

  save(registration: StoredRegistration): void {
    this.queue(registration.view.deviceId, registration);
  }

  remove(deviceId: string): void {
    this.queue(deviceId, null);
  }

  /** Writes what is queued now (at stop; otherwise at the end of the tick). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    try {
      this.db.transaction(() => {
        for (const [deviceId, r] of batch) {
          if (!r) {
            this.deleteOne.run(deviceId);
            continue;
          }
          this.upsert.run(
            deviceId,
            r.productId,
            r.view.location,
            r.rootPath,
            r.peer.address,
            r.peer.port,
            r.expiresAtMs,
            JSON.stringify(r.view),
            JSON.stringify(r.observations),
          );
        }
      })();
    } catch (error) {
      this.onError(error);
    }
  }

  private queue(deviceId: string, r: StoredRegistration | null): void {
    this.pending.set(deviceId, r);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}
