import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProductModel } from '../../../../core/contract/product-model.js';
import { createSecretBox } from '../../../../core/devices/secret-box.js';
import { productMigrations, ProductService } from '../../../../core/products/product-service.js';
import { runMigrations } from '../../../../core/store/migrations.js';

let db: Database.Database;
let service: ProductService;
const box = createSecretBox(randomBytes(32));

const model = (name: string): ProductModel => ({
  deviceType: 'StreetLight',
  manufacturerId: 'Acme',
  manufacturerName: 'Acme Ltd',
  model: name,
  protocolType: 'MQTT',
  services: [],
  omCapability: {},
  customTopics: [],
});

const sealedOf = (id: string) =>
  (db.prepare('SELECT secret_sealed FROM products WHERE id = ?').get(id) as { secret_sealed: Buffer | null })
    .secret_sealed;

beforeEach(() => {
  db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: 'products', migrations: productMigrations }], () => new Date());
  service = new ProductService(db, { now: () => Date.UTC(2026, 0, 1) } as never, { secretBox: () => box });
});
afterEach(() => db.close());

describe('product secrets', () => {
  it('seals a generated secret with the product and opens it again', () => {
    const { id } = service.create(model('L1'));
    const secret = service.secrets.secret(id);
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(sealedOf(id)?.includes(Buffer.from(secret ?? ''))).toBe(false);
    expect(service.secrets.secret(id)).toBe(secret);
  });

  it('binds the sealed secret to its product: a copied blob does not open for another product', () => {
    const a = service.create(model('L1')).id;
    const b = service.create(model('L2')).id;
    db.prepare('UPDATE products SET secret_sealed = ? WHERE id = ?').run(sealedOf(a), b);
    expect(() => service.secrets.secret(b)).toThrow();
  });

  it('gives a product made before secrets existed its secret on first use', () => {
    const { id } = service.create(model('L1'));
    db.prepare('UPDATE products SET secret_sealed = NULL WHERE id = ?').run(id);
    const secret = service.secrets.secret(id);
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(service.secrets.secret(id)).toBe(secret);
  });

  it('resets to a new or given secret and tells listeners which product changed', () => {
    const { id } = service.create(model('L1'));
    const before = service.secrets.secret(id);
    const changed: string[] = [];
    const stop = service.secrets.onReset((productId) => changed.push(productId));
    expect(service.secrets.reset(id)).not.toBe(before);
    expect(service.secrets.reset(id, 'hand-picked-secret')).toBe('hand-picked-secret');
    expect(service.secrets.secret(id)).toBe('hand-picked-secret');
    stop();
    service.secrets.reset(id);
    expect(changed).toEqual([id, id]);
  });

  it('answers undefined for an unknown product', () => {
    expect(service.secrets.secret('nope')).toBeUndefined();
    expect(service.secrets.reset('nope')).toBeUndefined();
  });
});
