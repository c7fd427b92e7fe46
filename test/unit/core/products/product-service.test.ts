import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusOfError } from '../../../../core/api/error-statuses.js';
import { DomainError } from '../../../../core/domain-error.js';
import type { ProductModel } from '../../../../core/contract/product-model.js';
import { checkProductModel } from '../../../../core/products/model-rules.js';
import { defaultSamplesDir, readSample } from '../../../../core/products/product-samples.js';
import { productMigrations, ProductService } from '../../../../core/products/product-service.js';
import { runMigrations } from '../../../../core/store/migrations.js';

let db: Database.Database;
let now = Date.UTC(2026, 0, 1);
let service: ProductService;
let usage: (productId: string) => number = () => 0;

function waterMeter(): ProductModel {
  const sample = readSample(defaultSamplesDir(), 'WaterMeter_TestUtf8ManuId_NBIoTDevice');
  if (!sample?.ok) throw new Error('sample missing');
  return sample.model;
}

const passThrough = (overrides: Partial<ProductModel> = {}): ProductModel => ({
  deviceType: 'Tracker',
  manufacturerId: 'Acme',
  manufacturerName: 'Acme Ltd',
  model: 'T-1',
  protocolType: 'MQTT',
  services: [],
  omCapability: {},
  customTopics: [],
  ...overrides,
});

/** The refusal fn throws, with the HTTP status the workbench API answers it with. */
function httpError(fn: () => unknown): DomainError & { status: number } {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return Object.assign(error, { status: statusOfError(error.code) });
    throw error;
  }
  throw new Error('expected a DomainError');
}

beforeEach(() => {
  db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: 'products', migrations: productMigrations }], () => new Date(now));
  usage = () => 0;
  service = new ProductService(db, { now: () => (now += 1000) } as never, { deviceUsage: (id) => usage(id) });
});
afterEach(() => db.close());

describe('product service', () => {
  it('creates a pass-through product with no services and reads it back', () => {
    const created = service.create(passThrough());
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.version).toBe(1);
    expect(created.deviceCount).toBe(0);
    expect(service.get(created.id)?.model).toEqual(passThrough());
  });

  it('serves the model from its cache, and never a stale one after an edit or a deletion', () => {
    const created = service.create(waterMeter());
    expect(service.model(created.id)).toEqual(waterMeter());
    const edited = { ...waterMeter(), deviceType: 'Meter2' };
    service.update(created.id, edited);
    expect(service.model(created.id)?.deviceType).toBe('Meter2');
    service.updateOmCapability(created.id, { firmwareUpgrade: { supported: true, protocol: 'LWM2M' } });
    expect(service.model(created.id)?.omCapability).toEqual({
      firmwareUpgrade: { supported: true, protocol: 'LWM2M' },
    });
    service.delete(created.id);
    expect(service.model(created.id)).toBeUndefined();
  });

  it('refuses a second product with the same manufacturerId and model', () => {
    service.create(passThrough());
    const error = httpError(() => service.create(passThrough({ deviceType: 'Other' })));
    expect(error.status).toBe(409);
    expect(error.code).toBe('PRODUCT_EXISTS');
  });

  it('refuses a model that breaks a rule, naming the path', () => {
    const model = waterMeter();
    model.services[2]!.properties[0]!.max = -1;
    const error = httpError(() => service.create(model));
    expect(error.status).toBe(400);
    expect(error.code).toBe('RANGE_INVERTED');
    expect(error.path).toBe('model.services[2].properties[0].max');
  });

  it('searches by name, manufacturer and model, filters by protocol and pages', () => {
    service.create(waterMeter());
    for (let i = 0; i < 5; i++) service.create(passThrough({ model: `T-${i}`, deviceType: `Tracker${i}` }));
    expect(service.list({ q: 'water' }).items.map((p) => p.deviceType)).toEqual(['WaterMeter']);
    expect(service.list({ q: 'hzyb' }).total).toBe(1);
    expect(service.list({ q: 'NBIoT' }).total).toBe(1);
    expect(service.list({ protocolType: 'MQTT' }).total).toBe(5);
    expect(service.list({ protocolType: 'CoAP' }).items[0]?.serviceCount).toBe(5);
    const page = service.list({ limit: 2, offset: 2 });
    expect(page.total).toBe(6);
    expect(page.items).toHaveLength(2);
    // Newest change first.
    expect(service.list({ limit: 1 }).items[0]?.model).toBe('T-4');
    expect(service.list({ q: '%' }).total).toBe(0);
  });

  it('edits the whole model while no device uses it', () => {
    const product = service.create(waterMeter());
    const edited = { ...product.model, description: 'edited' };
    const saved = service.update(product.id, edited, 1);
    expect(saved.version).toBe(2);
    expect(saved.model.description).toBe('edited');
    expect(httpError(() => service.update(product.id, edited, 1)).code).toBe('PRODUCT_VERSION_CONFLICT');
  });

  it('allows only omCapability changes while devices use the product', () => {
    const product = service.create(waterMeter());
    usage = (id) => (id === product.id ? 3 : 0);
    expect(service.get(product.id)?.deviceCount).toBe(3);
    const error = httpError(() => service.update(product.id, { ...product.model, description: 'x' }));
    expect(error.code).toBe('PRODUCT_IN_USE');
    const om = { ...product.model.omCapability, upgrade: { supported: false, protocol: 'PCP' as const } };
    expect(
      service.update(product.id, { ...product.model, omCapability: om }).model.omCapability.upgrade?.supported,
    ).toBe(false);
    expect(service.updateOmCapability(product.id, {}).model.omCapability).toEqual({});
  });

  it('refuses to delete a product devices use, and deletes it once they are gone', () => {
    const product = service.create(waterMeter());
    let devices = 1;
    usage = () => devices;
    expect(httpError(() => service.delete(product.id)).code).toBe('PRODUCT_IN_USE');
    devices = 0;
    service.delete(product.id);
    expect(service.get(product.id)).toBeUndefined();
    expect(httpError(() => service.delete(product.id)).status).toBe(404);
  });

  it('finds a product by its identity, treating LWM2M and CoAP as one family', () => {
    const product = service.create(waterMeter());
    service.create(passThrough());
    const identity = { deviceType: 'WaterMeter', manufacturerId: 'TestUtf8ManuId', model: 'NBIoTDevice' };
    expect(service.findByIdentity({ ...identity, protocolType: 'CoAP' })?.id).toBe(product.id);
    expect(service.findByIdentity({ ...identity, protocolType: 'LWM2M' })?.id).toBe(product.id);
    expect(service.findByIdentity({ model: 'NBIoTDevice', manufacturerName: 'HZYB' })?.id).toBe(product.id);
    expect(service.findByIdentity({ ...identity, protocolType: 'MQTT' })).toBeUndefined();
    expect(service.findByIdentity({ ...identity, deviceType: 'GasMeter' })).toBeUndefined();
  });
});

describe('model rules', () => {
  it('accepts the samples without errors', () => {
    expect(checkProductModel(waterMeter()).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('allows at most 10 custom topics, only for MQTT products', () => {
    const topics = Array.from({ length: 11 }, (_, i) => ({ suffix: `t${i}`, permission: 'publish' as const }));
    const codes = checkProductModel(passThrough({ customTopics: topics })).map((i) => i.code);
    expect(codes).toContain('TOO_MANY_CUSTOM_TOPICS');
    const coap = checkProductModel(passThrough({ protocolType: 'CoAP', customTopics: topics.slice(0, 1) }));
    expect(coap.map((i) => i.code)).toContain('CUSTOM_TOPIC_PROTOCOL');
  });

  it.each([
    ['bad-name', 'publish', 'CUSTOM_TOPIC_NAME'],
    ['a'.repeat(65), 'publish', 'CUSTOM_TOPIC_NAME'],
    ['events/#', 'both', 'CUSTOM_TOPIC_WILDCARD'],
    ['#/x', 'subscribe', 'CUSTOM_TOPIC_WILDCARD'],
  ] as const)('refuses the custom topic %s (%s)', (suffix, permission, code) => {
    const issues = checkProductModel(passThrough({ customTopics: [{ suffix, permission }] }));
    expect(issues.map((i) => i.code)).toContain(code);
  });

  it.each(['events/+', 'down/#', 'cmd_1'])('accepts the subscribe topic %s', (suffix) => {
    const issues = checkProductModel(passThrough({ customTopics: [{ suffix, permission: 'subscribe' }] }));
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('refuses services of one type with different definitions', () => {
    const model = waterMeter();
    model.services.push({ ...model.services[2]!, serviceId: 'Battery2', properties: [] });
    expect(checkProductModel(model).map((i) => i.code)).toContain('SERVICE_TYPE_CONFLICT');
  });
});
