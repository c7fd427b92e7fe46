// Product models through the real API: import the water-meter profile zip, list, export, re-import, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../core/archive/safe-zip.js';
import {
  apiRoutes,
  fillPath,
  productSchema,
  type Product,
  type RouteContract,
  type RouteRequest,
  type RouteResponse,
} from '../../core/contract/index.js';
import { defaultSamplesDir, sampleZip, sampleEntries } from '../../core/products/product-samples.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const WATER_METER = 'WaterMeter_TestUtf8ManuId_NBIoTDevice';
const tempDir = useTempDirs();
let core: RunningCore;

class CallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly path: string | undefined,
  ) {
    super(`${status} ${code}`);
  }
}

/** Calls a contract route the way the UI's client does: path filled by fillPath, response checked by the schema. */
async function call<R extends RouteContract>(
  route: R,
  request: Partial<RouteRequest<R>> = {},
): Promise<RouteResponse<R>> {
  const { params, query, body } = request as {
    params?: Record<string, unknown>;
    query?: Record<string, string>;
    body?: unknown;
  };
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  const binary = route.body === 'binary';
  const response = await core.api(fillPath(route.path, params) + search, {
    method: route.method,
    headers: body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' },
    body: body === undefined ? undefined : binary ? (body as Uint8Array) : JSON.stringify(body),
  });
  const json = (await response.json()) as { code?: string; path?: string };
  if (!response.ok) throw new CallError(response.status, json.code ?? '', json.path);
  return route.response.parse(json) as RouteResponse<R>;
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
});
afterAll(async () => {
  await core.stop();
});

async function importZip(bytes: Uint8Array): Promise<Response> {
  return core.api('/api/products:import', {
    method: 'POST',
    headers: { 'content-type': 'application/zip' },
    body: bytes,
  });
}

async function brokenWaterMeterZip(): Promise<Uint8Array> {
  const entries = sampleEntries(defaultSamplesDir(), WATER_METER)!;
  const file = 'service/Battery/profile/servicetype-capability.json';
  const json = JSON.parse(new TextDecoder().decode(entries.get(file))) as {
    services: { properties: { min: string; max: string }[] }[];
  };
  json.services[0]!.properties[0]!.max = '-10';
  entries.set(file, new TextEncoder().encode(JSON.stringify(json)));
  return writeZip([...entries]);
}

describe('products API', () => {
  let imported: Product;

  it('imports the water-meter profile zip with Content-Type application/zip', async () => {
    const response = await importZip((await sampleZip(defaultSamplesDir(), WATER_METER))!);
    expect(response.status).toBe(201);
    imported = productSchema.parse(await response.json());
    expect(imported.model.deviceType).toBe('WaterMeter');
    expect(imported.model.services).toHaveLength(5);
  });

  it('lists and searches it', async () => {
    const list = await call(apiRoutes.listProducts, { query: { q: 'water', protocolType: 'CoAP' } as never });
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ id: imported.id, manufacturerName: 'HZYB', serviceCount: 5, deviceCount: 0 });
  });

  it('refuses a second import of the same product with 409', async () => {
    const response = await importZip((await sampleZip(defaultSamplesDir(), WATER_METER))!);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('PRODUCT_EXISTS');
  });

  it('exports the zip, and re-importing it gives an equal model', async () => {
    const response = await core.api(`/api/products/${imported.id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toContain(`${WATER_METER}.zip`);
    const zip = new Uint8Array(await response.arrayBuffer());

    await call(apiRoutes.deleteProduct, { params: { id: imported.id } });
    // Through the contract's path: the `::` of the route is a literal colon.
    const again = await call(apiRoutes.importProduct, { body: zip });
    expect(again.model).toEqual(imported.model);
    expect(again.id).not.toBe(imported.id);
    imported = again;
  });

  it('refuses a broken profile with 400 naming the file and JSON path, storing nothing', async () => {
    const before = (await call(apiRoutes.listProducts)).total;
    await call(apiRoutes.deleteProduct, { params: { id: imported.id } });
    const response = await importZip(await brokenWaterMeterZip());
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      code: 'RANGE_INVERTED',
      file: 'service/Battery/profile/servicetype-capability.json',
      path: 'services[0].properties[0].max',
    });
    expect(body.message).toMatch(/max -10 is below min 0/);
    expect((await call(apiRoutes.listProducts)).total).toBe(before - 1);
  });

  it('refuses garbage and hostile zips with 400', async () => {
    const garbage = await importZip(new TextEncoder().encode('PK\u0003\u0004 not really'));
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { code: string }).code).toBe('ZIP_INVALID');
    const bomb = await importZip(await writeZip([['profile/devicetype-capability.json', new Uint8Array(4_000_000)]]));
    expect(bomb.status).toBe(400);
    expect(((await bomb.json()) as { code: string }).code).toBe('ZIP_ENTRY_TOO_LARGE');
  });

  it('refuses an import sent as JSON with 415', async () => {
    const response = await core.api('/api/products:import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(415);
  });

  it('lists the samples and creates one in one call', async () => {
    const samples = await call(apiRoutes.listProductSamples);
    expect(samples.items.map((s) => s.name)).toEqual([
      'Gateway_WorkbenchSamples_GW100MQTT',
      'StreetLight_WorkbenchSamples_SL100MQTT',
      WATER_METER,
    ]);
    expect(samples.items.every((s) => s.productId === undefined)).toBe(true);
    const light = await call(apiRoutes.createProductFromSample, {
      params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
    });
    expect(light.model.customTopics).toHaveLength(2);
    const after = await call(apiRoutes.listProductSamples);
    expect(after.items.find((s) => s.name === 'StreetLight_WorkbenchSamples_SL100MQTT')?.productId).toBe(light.id);
    await expect(call(apiRoutes.createProductFromSample, { params: { name: '..' } })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('creates by hand, edits, changes omCapability and validates without saving', async () => {
    const created = await call(apiRoutes.createProduct, {
      body: {
        deviceType: 'Gateway',
        manufacturerId: 'Acme',
        manufacturerName: 'Acme',
        model: 'GW1',
        protocolType: 'MQTT',
      },
    });
    expect(created.model.services).toEqual([]);
    const edited = await call(apiRoutes.updateProduct, {
      params: { id: created.id },
      body: { model: { ...created.model, description: 'edge box' }, expectedVersion: created.version },
    });
    expect(edited.version).toBe(2);
    const om = await call(apiRoutes.updateProductOmCapability, {
      params: { id: created.id },
      body: { config: { supported: true, method: 'file' } },
    });
    expect(om.model.omCapability.config?.supported).toBe(true);

    const check = await call(apiRoutes.validateProductModel, {
      body: { ...created.model, customTopics: [{ suffix: 'a/+', permission: 'publish' }] },
    });
    expect(check.valid).toBe(false);
    expect(check.issues[0]).toMatchObject({ code: 'CUSTOM_TOPIC_WILDCARD', path: 'customTopics[0].suffix' });

    const error = await call(apiRoutes.createProduct, {
      body: {
        ...created.model,
        model: 'GW2',
        services: [{ serviceId: 'S', serviceType: 'S', properties: [{ name: 'a', dataType: 'int', min: 5, max: 1 }] }],
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ status: 400, code: 'RANGE_INVERTED', path: 'model.services[0].properties[0].max' });
  });

  it('answers 404 for an unknown product', async () => {
    const response = await core.api('/api/products/000000000000000000000000');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('PRODUCT_NOT_FOUND');
  });

  it('lists the routes in the OpenAPI document with the literal colon', async () => {
    const doc = (await (await core.api('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/api/products:import']).toBeDefined();
    expect(doc.paths['/api/products/{id}/export']).toBeDefined();
  });
});
