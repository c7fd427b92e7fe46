// The device registry: devices table, secrets sealed at rest, keyset-paged listing and status bookkeeping.
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { DomainError } from '../domain-error.js';
import type { Clock } from '../clock.js';
import {
  deviceStatuses,
  nodeIdSchema,
  type Device,
  type DeviceCounts,
  type DeviceStatus,
  type RegisterDeviceBody,
} from '../contract/devices.js';
import type { ProtocolType } from '../contract/product-model.js';
import type { Migration } from '../store/migrations.js';
import { deviceIdOf } from './device-id.js';
import type { SecretBox } from './secret-box.js';

export const deviceMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'devices',
    sql: `CREATE TABLE devices (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      product_id TEXT NOT NULL,
      node_id TEXT NOT NULL,
      name TEXT,
      protocol_type TEXT NOT NULL,
      secret_sealed BLOB NOT NULL,
      status TEXT NOT NULL DEFAULT 'inactive',
      verify_code TEXT,
      activation_deadline INTEGER,
      activated INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_seen_at INTEGER,
      UNIQUE (product_id, node_id)
    );
    CREATE INDEX devices_status_seq ON devices (status, seq);
    CREATE INDEX devices_product_seq ON devices (product_id, seq);
    CREATE INDEX devices_node_id ON devices (node_id);
    CREATE INDEX devices_name ON devices (name);
    CREATE INDEX devices_deadline ON devices (activation_deadline) WHERE activation_deadline IS NOT NULL;`,
  },
];

/** Gateway sub-devices: the deviceId of the gateway a device reports through (runs after the status history). */
export const gatewayMigration: Migration = {
  version: 3,
  name: 'device gateways',
  sql: `ALTER TABLE devices ADD COLUMN gateway_id TEXT;
    CREATE INDEX devices_gateway ON devices (gateway_id) WHERE gateway_id IS NOT NULL;`,
};

/** Gateways: a device that ever had a sub-device is a GATEWAY (§1.5 nodeType), also once its sub-devices are gone. */
export const nodeTypeMigration: Migration = {
  version: 5,
  name: 'device node type',
  sql: `ALTER TABLE devices ADD COLUMN is_gateway INTEGER NOT NULL DEFAULT 0;
    UPDATE devices SET is_gateway = 1 WHERE id IN (SELECT gateway_id FROM devices WHERE gateway_id IS NOT NULL);
    CREATE INDEX devices_is_gateway ON devices (is_gateway, seq) WHERE is_gateway = 1;`,
};

/** Agent-Lite-style bind (R-4.5): when a verify-code MQTT device bound and received its deviceId and secret. */
export const bindMigration: Migration = {
  version: 6,
  name: 'device bind time',
  sql: `ALTER TABLE devices ADD COLUMN bound_at INTEGER;`,
};

interface DeviceRow {
  seq: number;
  id: string;
  product_id: string;
  node_id: string;
  name: string | null;
  protocol_type: ProtocolType;
  secret_sealed: Buffer;
  status: DeviceStatus;
  verify_code: string | null;
  activation_deadline: number | null;
  activated: number;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
  gateway_id: string | null;
  group_id: string | null;
  is_gateway: number;
  bound_at: number | null;
}

/** A device list's filters; `groupIds` are a group and (when asked) its descendants, expanded by the caller. */
export interface DeviceListFilter {
  status?: DeviceStatus;
  productId?: string;
  search?: string;
  groupIds?: readonly string[];
  tagId?: string;
  /** Sub-devices of this gateway. */
  gatewayId?: string;
  nodeType?: 'GATEWAY' | 'ENDPOINT';
  cursor?: string;
  offset?: number;
  limit: number;
}

export interface ProductInfo {
  id: string;
  protocolType: ProtocolType;
}

export interface ProductDirectory {
  /** Undefined when no product has this id. */
  product(productId: string): ProductInfo | undefined;
}

export type RegistryChange =
  | { kind: 'registered' | 'updated'; deviceId: string }
  | { kind: 'deleted'; deviceId: string }
  /** Just before the row goes: listeners can still read what other capabilities hold about the device. */
  | { kind: 'deleting'; deviceId: string }
  | { kind: 'secretReset'; deviceId: string }
  /** A verify-code device connected for the first time, or its activation deadline passed (it is deleted next). */
  | { kind: 'activated' | 'activationExpired'; deviceId: string };

const DEFAULT_VERIFY_TIMEOUT_S = 180;
const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

export function isShortConnection(protocolType: ProtocolType): boolean {
  return protocolType !== 'MQTT';
}

export function generateSecret(): string {
  return randomBytes(12).toString('hex');
}

/** Checks a supplied secret; `null` when fine, else why not. */
export function secretProblem(secret: string, protocolType: ProtocolType): string | undefined {
  if (isShortConnection(protocolType)) {
    if (!/^[0-9a-fA-F]{8,64}$/.test(secret) || secret.length % 2 !== 0)
      return `a ${protocolType} secret (PSK) is 8–64 hex digits, an even count`;
    return undefined;
  }
  if (secret.length < 8 || secret.length > 64) return 'a secret is 8–64 characters';
  if (!/^[\x21-\x7e]+$/.test(secret)) return 'a secret is printable ASCII without spaces';
  return undefined;
}

export class DeviceRegistry {
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private readonly byId;
  private readonly insert;
  private readonly touchRow;
  private readonly statusRow;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly products: ProductDirectory,
  ) {
    this.byId = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?');
    this.insert = db.prepare(
      `INSERT INTO devices (id, product_id, node_id, name, protocol_type, secret_sealed, verify_code, activation_deadline, created_at, updated_at, gateway_id)
       VALUES (@id, @productId, @nodeId, @name, @protocolType, @sealed, @verifyCode, @deadline, @now, @now, @gatewayId)`,
    );
    this.touchRow = db.prepare(
      'UPDATE devices SET status = ?, last_seen_at = ?, activated = 1, activation_deadline = NULL WHERE id = ?',
    );
    this.statusRow = db.prepare('UPDATE devices SET status = ? WHERE id = ?');
  }

  /** Runs `fn` in one transaction (batch registration commits a chunk at a time). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: RegistryChange): void {
    for (const l of this.listeners) l(change);
  }

  private view(row: DeviceRow): Device {
    return {
      deviceId: row.id,
      productId: row.product_id,
      nodeId: row.node_id,
      ...(row.name === null ? {} : { name: row.name }),
      protocolType: row.protocol_type,
      status: row.status,
      ...(row.verify_code === null || row.activated ? {} : { verifyCode: row.verify_code }),
      ...(row.activation_deadline === null ? {} : { activationDeadline: iso(row.activation_deadline) }),
      activated: row.activated === 1,
      createdAt: iso(row.created_at) ?? '',
      updatedAt: iso(row.updated_at) ?? '',
      ...(row.last_seen_at === null ? {} : { lastSeenAt: iso(row.last_seen_at) }),
      ...(row.gateway_id === null ? {} : { gatewayId: row.gateway_id }),
      nodeType: row.is_gateway === 1 ? 'GATEWAY' : 'ENDPOINT',
      ...(row.group_id === null ? {} : { groupId: row.group_id }),
      ...(row.bound_at === null ? {} : { boundAt: iso(row.bound_at) }),
    };
  }

  requireProduct(productId: string, path = 'body.productId'): ProductInfo {
    const product = this.products.product(productId);
    if (!product) throw new DomainError('PRODUCT_NOT_FOUND', `no product has the id ${productId}`, path);
    return product;
  }

  /** Registers one device; throws a DomainError naming the field at fault. */
  register(input: RegisterDeviceBody, path = 'body'): { device: Device; secret: string } {
    const product = this.requireProduct(input.productId, `${path}.productId`);
    const nodeId = nodeIdSchema.safeParse(input.nodeId);
    if (!nodeId.success)
      throw new DomainError('BAD_NODE_ID', nodeId.error.issues[0]?.message ?? 'bad nodeId', `${path}.nodeId`);
    const secret = input.secret === undefined || input.secret === '' ? generateSecret() : input.secret;
    const problem = secretProblem(secret, product.protocolType);
    if (problem) throw new DomainError('BAD_SECRET', problem, `${path}.secret`);
    const deviceId = deviceIdOf(product.id, input.nodeId);
    if (this.byId.get(deviceId)) {
      throw new DomainError(
        'DEVICE_EXISTS',
        `a device with nodeId ${input.nodeId} is already registered for product ${product.id} (deviceId ${deviceId})`,
        `${path}.nodeId`,
      );
    }
    if (input.gatewayId !== undefined && !this.byId.get(input.gatewayId)) {
      throw new DomainError(
        'GATEWAY_NOT_FOUND',
        `the gateway ${input.gatewayId} is not a registered device; register the gateway first`,
        `${path}.gatewayId`,
      );
    }
    if (input.gatewayId !== undefined && this.byId.get(input.gatewayId)?.gateway_id) {
      throw new DomainError(
        'GATEWAY_IS_SUB_DEVICE',
        `${input.gatewayId} is itself a sub-device; a sub-device reports through a directly connected gateway`,
        `${path}.gatewayId`,
      );
    }
    const now = this.clock.now();
    const verifyMode = input.verifyCode !== undefined || input.timeout !== undefined;
    const timeoutS = input.timeout ?? DEFAULT_VERIFY_TIMEOUT_S;
    this.insert.run({
      id: deviceId,
      productId: product.id,
      nodeId: input.nodeId,
      name: input.name ?? null,
      protocolType: product.protocolType,
      sealed: this.box.seal(secret, deviceId),
      verifyCode: verifyMode ? (input.verifyCode ?? input.nodeId) : null,
      deadline: verifyMode && timeoutS > 0 ? now + timeoutS * 1000 : null,
      now,
      gatewayId: input.gatewayId ?? null,
    });
    if (input.gatewayId !== undefined)
      this.db.prepare('UPDATE devices SET is_gateway = 1 WHERE id = ? AND is_gateway = 0').run(input.gatewayId);
    this.emit({ kind: 'registered', deviceId });
    return { device: this.require(deviceId), secret };
  }

  get(deviceId: string): Device | undefined {
    const row = this.byId.get(deviceId);
    return row ? this.view(row) : undefined;
  }

  require(deviceId: string): Device {
    const device = this.get(deviceId);
    if (!device) throw new DomainError('DEVICE_NOT_FOUND', `no device has the id ${deviceId}`, 'params.id');
    return device;
  }

  /** The device's secret in clear text, for authentication and export only. */
  secret(deviceId: string): string | undefined {
    const row = this.byId.get(deviceId);
    return row ? this.box.open(row.secret_sealed, row.id) : undefined;
  }

  findByNodeId(nodeId: string): Device[] {
    return this.db
      .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE node_id = ? LIMIT 2')
      .all(nodeId)
      .map((r) => this.view(r));
  }

  update(deviceId: string, changes: { name: string | null }): Device {
    this.require(deviceId);
    this.db
      .prepare('UPDATE devices SET name = ?, updated_at = ? WHERE id = ?')
      .run(changes.name, this.clock.now(), deviceId);
    this.emit({ kind: 'updated', deviceId });
    return this.require(deviceId);
  }

  /**
   * Deletes a device. A gateway's sub-devices go with it (`cascade`, the platform's default); without cascade they
   * stay and become directly connected (§1.3 delete device, `cascade=false`).
   */
  delete(deviceId: string, { cascade = true }: { cascade?: boolean } = {}): void {
    if (!this.byId.get(deviceId))
      throw new DomainError('DEVICE_NOT_FOUND', `no device has the id ${deviceId}`, 'params.id');
    this.emit({ kind: 'deleting', deviceId });
    const subIds = this.db
      .prepare<[string], { id: string }>('SELECT id FROM devices WHERE gateway_id = ? ORDER BY seq')
      .all(deviceId)
      .map((r) => r.id);
    if (cascade) for (const id of subIds) this.delete(id);
    else if (subIds.length > 0) {
      this.db
        .prepare('UPDATE devices SET gateway_id = NULL, updated_at = ? WHERE gateway_id = ?')
        .run(this.clock.now(), deviceId);
      for (const id of subIds) this.emit({ kind: 'updated', deviceId: id });
    }
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(deviceId);
    this.emit({ kind: 'deleted', deviceId });
  }

  /**
   * R-4.5 Agent-Lite-style bind: a device registered in verification-code mode for an MQTT product presents its
   * nodeId and verify code once and gets its deviceId and a fresh MQTT secret; that activates it.
   */
  bind(nodeId: string, verifyCode: string): { device: Device; secret: string } {
    const rows = this.db
      .prepare<[string], DeviceRow>(
        `SELECT * FROM devices WHERE node_id = ? AND verify_code IS NOT NULL AND protocol_type = 'MQTT' ORDER BY seq`,
      )
      .all(nodeId);
    if (rows.length === 0)
      throw new DomainError(
        'BIND_NOT_REGISTERED',
        `no MQTT device with nodeId ${nodeId} is registered in verification-code mode`,
        'body.deviceInfo.nodeId',
      );
    const row = rows.find((r) => r.verify_code === verifyCode);
    if (!row)
      throw new DomainError('BIND_WRONG_CODE', `the verify code does not match nodeId ${nodeId}`, 'body.verifyCode');
    if (row.activated === 1)
      throw new DomainError(
        'BIND_ALREADY_BOUND',
        row.bound_at === null
          ? `${row.id} is already activated; a verify code binds once`
          : `${row.id} was already bound at ${iso(row.bound_at)}; a verify code binds once`,
        'body.verifyCode',
      );
    const now = this.clock.now();
    if (row.activation_deadline !== null && row.activation_deadline <= now)
      throw new DomainError(
        'BIND_CODE_EXPIRED',
        `the verify code of ${row.id} expired at ${iso(row.activation_deadline)}`,
        'body.verifyCode',
      );
    const secret = generateSecret();
    this.db
      .prepare(
        'UPDATE devices SET secret_sealed = ?, activated = 1, activation_deadline = NULL, bound_at = ?, updated_at = ? WHERE id = ?',
      )
      .run(this.box.seal(secret, row.id), now, now, row.id);
    this.emit({ kind: 'activated', deviceId: row.id });
    return { device: this.require(row.id), secret };
  }

  resetSecret(deviceId: string, requested?: string): string {
    const device = this.require(deviceId);
    const secret = requested === undefined || requested === '' ? generateSecret() : requested;
    const problem = secretProblem(secret, device.protocolType);
    if (problem) throw new DomainError('BAD_SECRET', problem, 'body.secret');
    this.db
      .prepare('UPDATE devices SET secret_sealed = ?, updated_at = ? WHERE id = ?')
      .run(this.box.seal(secret, deviceId), this.clock.now(), deviceId);
    this.emit({ kind: 'secretReset', deviceId });
    return secret;
  }

  list(query: DeviceListFilter): { items: Device[]; total: number; nextCursor?: string } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.status) {
      where.push('status = ?');
      args.push(query.status);
    }
    if (query.productId) {
      // With a search, `+` keeps SQLite on the node_id/name indexes instead of scanning the whole product.
      where.push(query.search ? '+product_id = ?' : 'product_id = ?');
      args.push(query.productId);
    }
    if (query.search) {
      // Prefix match on both indexed columns: stays fast at 100k devices, unlike a substring scan.
      where.push('((node_id >= ? AND node_id < ?) OR (name >= ? AND name < ?))');
      const end = `${query.search}\u{10FFFF}`;
      args.push(query.search, end, query.search, end);
    }
    if (query.groupIds) {
      where.push('group_id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(query.groupIds));
    }
    if (query.tagId) {
      where.push('id IN (SELECT device_id FROM device_tag_links WHERE tag_id = ?)');
      args.push(query.tagId);
    }
    if (query.gatewayId) {
      where.push('gateway_id = ?');
      args.push(query.gatewayId);
    }
    if (query.nodeType) {
      where.push('is_gateway = ?');
      args.push(query.nodeType === 'GATEWAY' ? 1 : 0);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM devices ${filter}`).get(...args) as { n: number }).n;
    const cursor = query.cursor === undefined ? undefined : Number.parseInt(query.cursor, 10);
    const pageWhere = [...where];
    const pageArgs = [...args];
    if (cursor !== undefined && Number.isFinite(cursor)) {
      pageWhere.push('seq < ?');
      pageArgs.push(cursor);
    }
    const rows = this.db
      .prepare<unknown[], DeviceRow>(
        `SELECT * FROM devices ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      )
      .all(...pageArgs, query.limit + 1, cursor === undefined ? (query.offset ?? 0) : 0);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => this.view(r)),
      total,
      ...(rows.length > query.limit && last ? { nextCursor: String(last.seq) } : {}),
    };
  }

  /** Offset paging for the northbound API (pageNo/pageSize, sorted by registration time). */
  page(query: {
    status?: DeviceStatus;
    productIds?: readonly string[];
    name?: string;
    deviceId?: string;
    /** §1.5 `gatewayId`: the gateway itself and its sub-devices (a direct device is its own gateway). */
    gatewayId?: string;
    nodeType?: 'GATEWAY' | 'ENDPOINT';
    /** The calling application's devices: only these ids, or every device but these (one JSON parameter each). */
    onlyIds?: readonly string[];
    exceptIds?: readonly string[];
    createdFrom?: number;
    createdTo?: number;
    ascending: boolean;
    offset: number;
    limit: number;
  }): { items: Device[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (query.status) add('status = ?', query.status);
    if (query.productIds)
      add(`product_id IN (${query.productIds.map(() => '?').join(',') || 'NULL'})`, ...query.productIds);
    if (query.name !== undefined) add('name = ?', query.name);
    if (query.deviceId !== undefined) add('id = ?', query.deviceId);
    if (query.gatewayId !== undefined) add('(id = ? OR gateway_id = ?)', query.gatewayId, query.gatewayId);
    if (query.nodeType !== undefined) add('is_gateway = ?', query.nodeType === 'GATEWAY' ? 1 : 0);
    if (query.onlyIds) add('id IN (SELECT value FROM json_each(?))', JSON.stringify(query.onlyIds));
    if (query.exceptIds?.length) add('id NOT IN (SELECT value FROM json_each(?))', JSON.stringify(query.exceptIds));
    if (query.createdFrom !== undefined) add('created_at >= ?', query.createdFrom);
    if (query.createdTo !== undefined) add('created_at <= ?', query.createdTo);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM devices ${filter}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare<unknown[], DeviceRow>(
        `SELECT * FROM devices ${filter} ORDER BY seq ${query.ascending ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset);
    return { items: rows.map((r) => this.view(r)), total };
  }

  /** The sub-devices of a gateway, by registration order. */
  subDevices(gatewayId: string): Device[] {
    return this.db
      .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE gateway_id = ? ORDER BY seq')
      .all(gatewayId)
      .map((r) => this.view(r));
  }

  /** Puts devices in a group (null: ungrouped); returns how many were in another group before. */
  assignGroup(deviceIds: readonly string[], groupId: string | null): number {
    const ids = JSON.stringify(deviceIds);
    const moved =
      groupId === null
        ? 0
        : (
            this.db
              .prepare(
                'SELECT COUNT(*) AS n FROM devices WHERE id IN (SELECT value FROM json_each(?)) AND group_id IS NOT NULL AND group_id != ?',
              )
              .get(ids, groupId) as { n: number }
          ).n;
    this.db
      .prepare('UPDATE devices SET group_id = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))')
      .run(groupId, this.clock.now(), ids);
    return moved;
  }

  /** Ungroups the devices of these groups (the groups are being deleted); returns how many. */
  ungroup(groupIds: readonly string[]): number {
    return this.db
      .prepare('UPDATE devices SET group_id = NULL WHERE group_id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(groupIds)).changes;
  }

  /** Device counts per group, for the groups that have devices. */
  groupCounts(groupIds?: readonly string[]): Map<string, number> {
    const rows =
      groupIds === undefined
        ? this.db
            .prepare<[], { group_id: string; n: number }>(
              'SELECT group_id, COUNT(*) AS n FROM devices WHERE group_id IS NOT NULL GROUP BY group_id',
            )
            .all()
        : this.db
            .prepare<[string], { group_id: string; n: number }>(
              'SELECT group_id, COUNT(*) AS n FROM devices WHERE group_id IN (SELECT value FROM json_each(?)) GROUP BY group_id',
            )
            .all(JSON.stringify(groupIds));
    return new Map(rows.map((r) => [r.group_id, r.n]));
  }

  groupOf(deviceId: string): string | undefined {
    return this.byId.get(deviceId)?.group_id ?? undefined;
  }

  /** Ids of the devices in these groups, by registration order, offset-paged. */
  idsInGroups(groupIds: readonly string[], offset: number, limit: number): { total: number; deviceIds: string[] } {
    const ids = JSON.stringify(groupIds);
    const where = 'group_id IN (SELECT value FROM json_each(?))';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM devices WHERE ${where}`).get(ids) as { n: number }).n;
    const deviceIds = this.db
      .prepare<[string, number, number], { id: string }>(
        `SELECT id FROM devices WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`,
      )
      .all(ids, limit, offset)
      .map((r) => r.id);
    return { total, deviceIds };
  }

  /** The ids among these that are not registered. */
  missing(deviceIds: readonly string[]): string[] {
    return this.db
      .prepare<[string], { id: string }>(
        'SELECT value AS id FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = value)',
      )
      .all(JSON.stringify(deviceIds))
      .map((r) => r.id);
  }

  /** Ids of every device of a product or carrying a tag (batch targets), by registration order. */
  idsWhere(filter: { productId: string } | { tagId: string }): string[] {
    const [clause, arg] =
      'productId' in filter
        ? ['product_id = ?', filter.productId]
        : ['id IN (SELECT device_id FROM device_tag_links WHERE tag_id = ?)', filter.tagId];
    return this.db
      .prepare<[string], { id: string }>(`SELECT id FROM devices WHERE ${clause} ORDER BY seq`)
      .all(arg)
      .map((r) => r.id);
  }

  counts(productId?: string): DeviceCounts {
    const rows = this.db
      .prepare<unknown[], { status: DeviceStatus; n: number }>(
        `SELECT status, COUNT(*) AS n FROM devices ${productId ? 'WHERE product_id = ?' : ''} GROUP BY status`,
      )
      .all(...(productId ? [productId] : []));
    const counts: DeviceCounts = { all: 0, online: 0, offline: 0, inactive: 0, abnormal: 0 };
    for (const r of rows) {
      if ((deviceStatuses as readonly string[]).includes(r.status)) counts[r.status] = r.n;
      counts.all += r.n;
    }
    return counts;
  }

  countByProduct(productId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM devices WHERE product_id = ?').get(productId) as { n: number })
      .n;
  }

  /** Secrets of one product (or all) for the CSV export, in registration order. */
  *secrets(productId?: string): Generator<{ deviceId: string; nodeId: string; secret: string }> {
    const stmt = this.db.prepare<unknown[], DeviceRow>(
      `SELECT * FROM devices ${productId ? 'WHERE product_id = ?' : ''} ORDER BY seq`,
    );
    for (const row of stmt.iterate(...(productId ? [productId] : []))) {
      yield { deviceId: row.id, nodeId: row.node_id, secret: this.box.open(row.secret_sealed, row.id) };
    }
  }

  /** Records contact: activates a verify-code device and returns the previous status. */
  touch(deviceId: string, status: DeviceStatus): DeviceStatus | undefined {
    const row = this.byId.get(deviceId);
    if (!row) return undefined;
    const now = this.clock.now();
    this.touchRow.run(status, now, deviceId);
    if (row.activated === 0 && (row.verify_code !== null || row.activation_deadline !== null))
      this.emit({ kind: 'activated', deviceId });
    return row.status;
  }

  setStatus(deviceId: string, status: DeviceStatus): void {
    this.statusRow.run(status, deviceId);
  }

  /** At start nobody is connected yet: MQTT devices left online by the last run are offline now. Returns their ids. */
  resetLongConnections(): string[] {
    const ids = this.db
      .prepare<[], { id: string }>(`SELECT id FROM devices WHERE status = 'online' AND protocol_type = 'MQTT'`)
      .all()
      .map((r) => r.id);
    this.db.prepare(`UPDATE devices SET status = 'offline' WHERE status = 'online' AND protocol_type = 'MQTT'`).run();
    return ids;
  }

  /** Short-connection devices whose last contact is older than `before`, currently in `status`. */
  silentShortDevices(status: DeviceStatus, before: number): string[] {
    return this.db
      .prepare<[string, number], { id: string }>(
        `SELECT id FROM devices WHERE status = ? AND protocol_type != 'MQTT' AND last_seen_at < ?`,
      )
      .all(status, before)
      .map((r) => r.id);
  }

  /** Deletes unactivated verify-code devices whose deadline has passed; returns their ids. */
  expireUnactivated(): string[] {
    const ids = this.db
      .prepare<[number], { id: string }>(
        'SELECT id FROM devices WHERE activation_deadline IS NOT NULL AND activated = 0 AND activation_deadline <= ?',
      )
      .all(this.clock.now())
      .map((r) => r.id);
    for (const id of ids) {
      this.emit({ kind: 'activationExpired', deviceId: id });
      this.delete(id);
    }
    return ids;
  }

  nextActivationDeadline(): number | undefined {
    const r = this.db
      .prepare(
        'SELECT MIN(activation_deadline) AS d FROM devices WHERE activation_deadline IS NOT NULL AND activated = 0',
      )
      .get() as { d: number | null };
    return r.d ?? undefined;
  }
}
