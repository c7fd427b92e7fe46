// Product models stored in SQLite: create, read, search, edit (rules of R-2.4), delete, identity lookup.
import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain-error.js';
import type { Clock } from '../clock.js';
import type { ModelIssueView, Product, ProductListQuery, ProductSummary } from '../contract/products.js';
import { productListQuerySchema } from '../contract/products.js';
import {
  productModelSchema,
  type OmCapability,
  type ProductModel,
  type ProtocolType,
} from '../contract/product-model.js';
import type { Migration } from '../store/migrations.js';
import { checkProductModel, formatPath } from './model-rules.js';
import { ProductSecrets, productSecretMigration, type SecretBoxProvider } from './product-secrets.js';

export const productMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create products',
    sql: `CREATE TABLE products (
      id TEXT PRIMARY KEY,
      manufacturer_id TEXT NOT NULL,
      model TEXT NOT NULL,
      device_type TEXT NOT NULL,
      manufacturer_name TEXT NOT NULL,
      protocol_type TEXT NOT NULL,
      model_json TEXT NOT NULL,
      version INTEGER NOT NULL,
      source TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (manufacturer_id, model)
    );
    CREATE INDEX products_by_update ON products (updated_at DESC)`,
  },
  productSecretMigration,
];

/** How many devices use a product; the device registry registers the real one. */
export type DeviceUsageProvider = (productId: string) => number;

/** What identifies a product in a package or a device's claim (OTA packages name all four). */
export interface ProductIdentity {
  manufacturerId?: string;
  manufacturerName?: string;
  deviceType?: string;
  model: string;
  /** Compared case-insensitively; LWM2M and CoAP are treated as the same family. */
  protocolType?: string;
}

interface ProductRow {
  id: string;
  model_json: string;
  version: number;
  created_at: string;
  updated_at: string;
}

interface SummaryRow extends ProductRow {
  manufacturer_id: string;
  manufacturer_name: string;
  device_type: string;
  model: string;
  protocol_type: ProtocolType;
}

/** Where a product came from: by hand, an imported zip, or a shipped sample. */
export type ProductSource = 'hand' | 'import' | `sample:${string}`;

export function newProductId(): string {
  return randomBytes(12).toString('hex');
}

function warningsOf(model: ProductModel): ModelIssueView[] {
  return checkProductModel(model)
    .filter((i) => i.severity === 'warning')
    .map((i) => ({ severity: i.severity, code: i.code, message: i.message, path: formatPath(i.path) }));
}

/** Refuses a model that breaks a rule; the first error names its JSON path. */
export function assertValidModel(model: ProductModel, pathPrefix = 'model'): void {
  const issues = checkProductModel(model);
  const first = issues.find((i) => i.severity === 'error');
  if (!first) return;
  const path = `${pathPrefix}.${formatPath(first.path)}`;
  throw new DomainError(first.code, `${path}: ${first.message}`, path, {
    issues: issues.map((i) => ({ ...i, path: formatPath(i.path) })),
  });
}

const family = (p: string | undefined) => {
  const lower = p?.toLowerCase();
  return lower === 'lwm2m' ? 'coap' : lower;
};

export interface ProductChange {
  kind: 'added' | 'deleted';
  product: Product;
}

export class ProductService {
  /** The product secrets of one-model-one-secret MQTT login (authType 1). */
  readonly secrets: ProductSecrets;
  /** Parsed models by product id, dropped whenever the product is written or deleted. */
  private readonly models = new Map<string, ProductModel>();

  private readonly usage: DeviceUsageProvider;
  private readonly changeListeners = new Set<(change: ProductChange) => void>();

  /**
   * `deviceUsage` counts a product's registered devices (edits and deletion are refused while devices use it);
   * `secretBox` seals product secrets with the device secrets' key.
   */
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    links: { deviceUsage?: DeviceUsageProvider; secretBox?: SecretBoxProvider } = {},
  ) {
    this.usage = links.deviceUsage ?? (() => 0);
    const secretBox = links.secretBox ?? (() => undefined);
    this.secrets = new ProductSecrets(db, () => secretBox());
  }

  deviceCount(productId: string): number {
    try {
      return this.usage(productId);
    } catch {
      // A failing provider must not hide products; treat the product as in use to stay on the safe side.
      return Number.MAX_SAFE_INTEGER;
    }
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private toProduct(row: ProductRow): Product {
    const model = productModelSchema.parse(JSON.parse(row.model_json));
    return {
      id: row.id,
      model,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      deviceCount: this.deviceCount(row.id),
      warnings: warningsOf(model),
    };
  }

  private assertIdentityFree(model: ProductModel, exceptId?: string): void {
    const existing = this.db
      .prepare('SELECT id FROM products WHERE manufacturer_id = ? AND model = ?')
      .get(model.manufacturerId, model.model) as { id: string } | undefined;
    if (existing && existing.id !== exceptId) {
      throw new DomainError(
        'PRODUCT_EXISTS',
        `a product with manufacturerId "${model.manufacturerId}" and model "${model.model}" already exists`,
        'model.model',
        { productId: existing.id },
      );
    }
  }

  /** Products added and deleted (the push capability notifies deviceModelAdded / deviceModelDeleted). */
  onChange(listener: (change: ProductChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private announce(change: ProductChange): void {
    for (const listener of [...this.changeListeners]) listener(change);
  }

  /** Stores a new product; the model must already have passed productModelSchema. */
  create(input: ProductModel, source: ProductSource = 'hand'): Product {
    const model = productModelSchema.parse(input);
    assertValidModel(model);
    const id = newProductId();
    const now = this.now();
    this.db.transaction(() => {
      this.assertIdentityFree(model);
      this.db
        .prepare(
          `INSERT INTO products (id, ${MODEL_COLUMNS.join(', ')}, version, source, created_at, updated_at)
             VALUES (?, ${MODEL_COLUMNS.map(() => '?').join(', ')}, 1, ?, ?, ?)`,
        )
        .run(id, ...modelColumnValues(model), source, now, now);
      this.secrets.initialize(id);
    })();
    const product = this.require(id);
    this.announce({ kind: 'added', product });
    return product;
  }

  get(id: string): Product | undefined {
    const row = this.db.prepare('SELECT * FROM products WHERE id = ?').get(id) as ProductRow | undefined;
    return row ? this.toProduct(row) : undefined;
  }

  /** The product's model alone, cached: cheap enough to call for every uplink a device sends. */
  model(id: string): ProductModel | undefined {
    let model = this.models.get(id);
    if (!model) {
      const row = this.db.prepare('SELECT model_json FROM products WHERE id = ?').get(id) as
        Pick<ProductRow, 'model_json'> | undefined;
      if (!row) return undefined;
      model = productModelSchema.parse(JSON.parse(row.model_json));
      if (this.models.size >= 1000) this.models.clear();
      this.models.set(id, model);
    }
    return model;
  }

  /** Ids of every product of a device type (the northbound API's `deviceType` filter). */
  idsOfDeviceType(deviceType: string): string[] {
    return (
      this.db.prepare('SELECT id FROM products WHERE device_type = ? ORDER BY id').all(deviceType) as { id: string }[]
    ).map((r) => r.id);
  }

  require(id: string): Product {
    const product = this.get(id);
    if (!product) throw new DomainError('PRODUCT_NOT_FOUND', `no product with id "${id}"`, 'params.id');
    return product;
  }

  list(input: ProductListQuery = {}): { items: ProductSummary[]; total: number } {
    const query = productListQuerySchema.parse(input);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        `(device_type LIKE ? ESCAPE '\\' OR manufacturer_id LIKE ? ESCAPE '\\' OR manufacturer_name LIKE ? ESCAPE '\\' OR model LIKE ? ESCAPE '\\')`,
      );
      args.push(like, like, like, like);
    }
    if (query.protocolType) {
      where.push('protocol_type = ?');
      args.push(query.protocolType);
    }
    if (query.manufacturerId) {
      where.push('manufacturer_id = ?');
      args.push(query.manufacturerId);
    }
    if (query.model) {
      where.push('model = ?');
      args.push(query.model);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM products ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM products ${clause} ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`)
      .all(...args, query.limit, query.offset) as SummaryRow[];
    const items = rows.map((row) => {
      const model = JSON.parse(row.model_json) as { services?: unknown[] };
      return {
        id: row.id,
        deviceType: row.device_type,
        manufacturerId: row.manufacturer_id,
        manufacturerName: row.manufacturer_name,
        model: row.model,
        protocolType: row.protocol_type,
        serviceCount: model.services?.length ?? 0,
        deviceCount: this.deviceCount(row.id),
        updatedAt: row.updated_at,
      };
    });
    return { items, total };
  }

  private write(id: string, model: ProductModel, version: number): Product {
    this.models.delete(id);
    this.db
      .prepare(
        `UPDATE products SET ${MODEL_COLUMNS.map((c) => `${c} = ?`).join(', ')}, version = ?, updated_at = ? WHERE id = ?`,
      )
      .run(...modelColumnValues(model), version, this.now(), id);
    return this.require(id);
  }

  /** Replaces the model. With devices registered only omCapability may differ (R-2.4). */
  update(id: string, input: ProductModel, expectedVersion?: number): Product {
    const model = productModelSchema.parse(input);
    assertValidModel(model);
    return this.db.transaction(() => {
      const current = this.require(id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new DomainError(
          'PRODUCT_VERSION_CONFLICT',
          `the product was changed meanwhile (version ${current.version}, you edited ${expectedVersion}); reload and edit again`,
          'body.expectedVersion',
        );
      }
      const withoutOm = (m: ProductModel) => JSON.stringify({ ...m, omCapability: undefined });
      if (current.deviceCount > 0 && withoutOm(current.model) !== withoutOm(model)) {
        throw new DomainError(
          'PRODUCT_IN_USE',
          `${current.deviceCount} device(s) use this product; only its maintenance capabilities (omCapability) can change`,
          'body.model',
        );
      }
      this.assertIdentityFree(model, id);
      return this.write(id, model, current.version + 1);
    })();
  }

  /** Maintenance capabilities may change at any time, devices or not. */
  updateOmCapability(id: string, omCapability: OmCapability): Product {
    return this.db.transaction(() => {
      const current = this.require(id);
      const model = productModelSchema.parse({ ...current.model, omCapability });
      assertValidModel(model);
      return this.write(id, model, current.version + 1);
    })();
  }

  delete(id: string): void {
    const deleted = this.db.transaction(() => {
      const current = this.require(id);
      if (current.deviceCount > 0) {
        throw new DomainError(
          'PRODUCT_IN_USE',
          `${current.deviceCount} device(s) use this product; delete them first`,
          'params.id',
        );
      }
      this.models.delete(id);
      this.db.prepare('DELETE FROM products WHERE id = ?').run(id);
      return current;
    })();
    this.announce({ kind: 'deleted', product: deleted });
  }

  /** The product a package or device claim refers to: model plus whichever of the other identity fields are given. */
  findByIdentity(identity: ProductIdentity): Product | undefined {
    const rows = this.db.prepare('SELECT * FROM products WHERE model = ?').all(identity.model) as SummaryRow[];
    const row = rows.find(
      (r) =>
        (identity.manufacturerId === undefined || r.manufacturer_id === identity.manufacturerId) &&
        (identity.manufacturerName === undefined || r.manufacturer_name === identity.manufacturerName) &&
        (identity.deviceType === undefined || r.device_type === identity.deviceType) &&
        (identity.protocolType === undefined || family(r.protocol_type) === family(identity.protocolType)),
    );
    return row ? this.toProduct(row) : undefined;
  }
}

const MODEL_COLUMNS = ['manufacturer_id', 'model', 'device_type', 'manufacturer_name', 'protocol_type', 'model_json'];

/** The products row's model columns, in MODEL_COLUMNS order. */
function modelColumnValues(model: ProductModel): string[] {
  return [
    model.manufacturerId,
    model.model,
    model.deviceType,
    model.manufacturerName,
    model.protocolType,
    JSON.stringify(model),
  ];
}
