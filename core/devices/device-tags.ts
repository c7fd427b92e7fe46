// Device tags (R-11.2): tags defined once (key, optional value) and attached to devices in bulk.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { DeviceTag } from '../contract/groups.js';
import { DomainError } from '../domain-error.js';
import type { Migration } from '../store/migrations.js';
import type { DeviceRegistry } from './device-registry.js';

/** Groups and tags beside the devices table: the device's one group and its tag links. */
export const groupsAndTagsMigration: Migration = {
  version: 4,
  name: 'device group membership and tags',
  sql: `ALTER TABLE devices ADD COLUMN group_id TEXT;
    CREATE INDEX devices_group_seq ON devices (group_id, seq) WHERE group_id IS NOT NULL;
    CREATE TABLE device_tags (
      id TEXT PRIMARY KEY,
      key TEXT NOT NULL,
      value TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      UNIQUE (key, value)
    );
    CREATE TABLE device_tag_links (
      tag_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      PRIMARY KEY (tag_id, device_id)
    ) WITHOUT ROWID;
    CREATE INDEX device_tag_links_device ON device_tag_links (device_id);
    CREATE TRIGGER devices_drop_tag_links AFTER DELETE ON devices BEGIN
      DELETE FROM device_tag_links WHERE device_id = old.id;
    END;`,
};

interface TagRow {
  id: string;
  key: string;
  value: string;
  created_at: number;
  device_count: number;
}

const TAG_SELECT = `SELECT t.id, t.key, t.value, t.created_at,
  (SELECT COUNT(*) FROM device_tag_links l WHERE l.tag_id = t.id) AS device_count FROM device_tags t`;

function tagView(r: TagRow): DeviceTag {
  return {
    id: r.id,
    key: r.key,
    ...(r.value === '' ? {} : { value: r.value }),
    deviceCount: r.device_count,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export class DeviceTags {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly devices: Pick<DeviceRegistry, 'missing'>,
  ) {}

  list(): DeviceTag[] {
    return this.db.prepare<[], TagRow>(`${TAG_SELECT} ORDER BY t.key, t.value`).all().map(tagView);
  }

  require(tagId: string): DeviceTag {
    const row = this.db.prepare<[string], TagRow>(`${TAG_SELECT} WHERE t.id = ?`).get(tagId);
    if (!row) throw new DomainError('TAG_NOT_FOUND', `no tag has the id ${tagId}`, 'params.tagId');
    return tagView(row);
  }

  create(key: string, value = ''): DeviceTag {
    const id = randomUUID();
    try {
      this.db
        .prepare('INSERT INTO device_tags (id, key, value, created_at) VALUES (?, ?, ?, ?)')
        .run(id, key, value, this.clock.now());
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new DomainError(
          'TAG_EXISTS',
          `the tag ${value ? `${key}=${value}` : key} is already defined`,
          'body.key',
        );
      throw error;
    }
    return this.require(id);
  }

  /** Deletes the tag and its links; returns how many devices carried it. */
  delete(tagId: string): number {
    this.require(tagId);
    return this.db.transaction(() => {
      const detached = this.db.prepare('DELETE FROM device_tag_links WHERE tag_id = ?').run(tagId).changes;
      this.db.prepare('DELETE FROM device_tags WHERE id = ?').run(tagId);
      return detached;
    })();
  }

  /** Attaches the tag to every listed device that exists; unknown ids are refused as a whole. */
  attach(tagId: string, deviceIds: readonly string[]): number {
    this.require(tagId);
    const missing = this.devices.missing(deviceIds);
    if (missing.length) throw unknownDevices(missing);
    return this.db.transaction(() => {
      return this.db
        .prepare('INSERT OR IGNORE INTO device_tag_links (tag_id, device_id) SELECT ?, value FROM json_each(?)')
        .run(tagId, JSON.stringify(deviceIds)).changes;
    })();
  }

  detach(tagId: string, deviceIds: readonly string[]): number {
    this.require(tagId);
    return this.db
      .prepare('DELETE FROM device_tag_links WHERE tag_id = ? AND device_id IN (SELECT value FROM json_each(?))')
      .run(tagId, JSON.stringify(deviceIds)).changes;
  }

  /** Tag ids per device, for one page of a device list. */
  tagIdsOf(deviceIds: readonly string[]): Map<string, string[]> {
    const byDevice = new Map<string, string[]>();
    if (deviceIds.length === 0) return byDevice;
    const rows = this.db
      .prepare<[string], { device_id: string; tag_id: string }>(
        'SELECT device_id, tag_id FROM device_tag_links WHERE device_id IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(deviceIds));
    for (const r of rows) {
      const ids = byDevice.get(r.device_id);
      if (ids) ids.push(r.tag_id);
      else byDevice.set(r.device_id, [r.tag_id]);
    }
    return byDevice;
  }
}

/** The refusal for ids that name no device: the first few, and how many more. */
export function unknownDevices(missing: readonly string[], path = 'body.deviceIds'): DomainError {
  const more = missing.length > 3 ? ` (and ${missing.length - 3} more)` : '';
  return new DomainError('DEVICE_NOT_FOUND', `no device has the id ${missing.slice(0, 3).join(', ')}${more}`, path);
}
