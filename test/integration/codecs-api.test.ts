// Codecs through the API of a real core: save versions, try frames, run samples, roll back, export C.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiErrorSchema,
  apiRoutes,
  fillPath,
  type RouteContract,
  type RouteRequest,
  type RouteResponse,
} from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;

/** A contract-typed call; a failure rejects with the API's `{code, message, path}` and the status. */
async function callApi<R extends RouteContract>(
  route: R,
  request: RouteRequest<R> = {} as RouteRequest<R>,
): Promise<RouteResponse<R>> {
  const { params, body } = request as { params?: Record<string, unknown>; body?: unknown };
  const res = await core.api(fillPath(route.path, params), {
    method: route.method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) {
    const error = apiErrorSchema.parse(json);
    throw Object.assign(new Error(error.message), error, { status: res.status });
  }
  return route.response.parse(json) as RouteResponse<R>;
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
});
afterAll(async () => {
  await core.stop();
});

describe('codecs API', () => {
  const params = { id: '' };

  it('refuses a codec for a product that does not exist', async () => {
    await expect(
      callApi(apiRoutes.installCodecSample, { params: { id: 'nope' }, body: { name: 'water-meter', kind: 'script' } }),
    ).rejects.toMatchObject({ status: 404, code: 'PRODUCT_NOT_FOUND' });
    const product = await callApi(apiRoutes.createProductFromSample, {
      params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' },
    });
    params.id = product.id;
  });

  it('starts a product from the shipped water-meter script codec and passes its samples', async () => {
    const installed = await callApi(apiRoutes.installCodecSample, {
      params,
      body: { name: 'water-meter', kind: 'script' },
    });
    expect(installed.active).toMatchObject({ version: 1, kind: 'script', active: true });
    const run = await callApi(apiRoutes.runCodecSamples, { params, body: {} });
    expect(run.failed).toBe(0);
    expect(run.passed).toBeGreaterThanOrEqual(3);
    // The decoded values fit the water meter's product model.
    expect(run.results.flatMap((r) => r.issues)).toEqual([]);
  });

  it('tries an ad hoc frame and an ad hoc command', async () => {
    const decoded = await callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: '02 55 14' } });
    expect(decoded.decode).toMatchObject({
      ok: true,
      raw: '025514',
      issues: [],
      message: { kind: 'data', services: [{ serviceId: 'Battery', properties: { batteryLevel: 85 } }] },
    });
    const encoded = await callApi(apiRoutes.tryCodec, {
      params,
      body: {
        direction: 'encode',
        command: { serviceId: 'WaterMeterBasic', name: 'SET_DEVICE_LEVEL', paras: { value: 'debug' }, mid: 513 },
      },
    });
    expect(encoded.encode).toEqual({ ok: true, hex: '81020102' });
    const outOfRange = await callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: '02FF14' } });
    expect(outOfRange.decode).toMatchObject({
      ok: true,
      issues: [{ severity: 'error', code: 'OUT_OF_RANGE', path: 'Battery.batteryLevel' }],
    });
    const garbage = await callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: 'FF' } });
    expect(garbage.decode).toMatchObject({ ok: false, raw: 'FF', error: { code: 'SCRIPT_THREW' } });
  });

  it('keeps every save as a version and rolls back', async () => {
    const broken = await callApi(apiRoutes.saveCodecVersion, {
      params,
      body: {
        kind: 'script',
        source:
          'function decode(p) { return JSON.stringify({ msgType: "deviceReq", data: [{ serviceId: "Battery", serviceData: { batteryLevel: 1 } }] }); }',
      },
    });
    expect(broken.version).toBe(2);
    const failing = await callApi(apiRoutes.runCodecSamples, { params, body: {} });
    expect(failing.failed).toBeGreaterThan(0);
    const diffed = failing.results.find((r) => r.name.startsWith('Battery'));
    expect(diffed?.diff).toContainEqual({ path: '$.services[0].properties.batteryLevel', expected: 85, actual: 1 });

    const rolledBack = await callApi(apiRoutes.activateCodecVersion, { params: { ...params, version: 1 } });
    expect(rolledBack.active?.version).toBe(1);
    expect(rolledBack.versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await callApi(apiRoutes.runCodecSamples, { params, body: {} })).failed).toBe(0);
  });

  it('refuses a script with a syntax error and an invalid layout, naming the place', async () => {
    await expect(
      callApi(apiRoutes.saveCodecVersion, { params, body: { kind: 'script', source: 'function decode( {' } }),
    ).rejects.toMatchObject({ status: 400, code: 'SCRIPT_SYNTAX' });
    await expect(
      callApi(apiRoutes.saveCodecVersion, {
        params,
        body: {
          kind: 'layout',
          source: JSON.stringify({ messages: [{ name: 'a', id: 1, direction: 'data', fields: [] }] }),
        },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'LAYOUT_INVALID', path: 'body.source.messages.0.serviceId' });
  });

  it('runs the same samples with the layout codec and exports its C', async () => {
    const installed = await callApi(apiRoutes.installCodecSample, {
      params,
      body: { name: 'water-meter', kind: 'layout' },
    });
    expect(installed.active).toMatchObject({ kind: 'layout', version: 3 });
    expect((await callApi(apiRoutes.listCodecSamples, { params })).samples).toHaveLength(6);
    expect((await callApi(apiRoutes.runCodecSamples, { params, body: {} })).failed).toBe(0);
    const c = await callApi(apiRoutes.codecCSource, { params });
    expect(c.fileBase).toMatch(/_codec$/);
    expect(c.header).toContain('_set_device_level_pack(');
    expect(c.source).toContain('#include "');
  });

  it('tries a draft without saving it', async () => {
    const draft = { kind: 'script' as const, source: 'function decode(p) { for (;;) {} }' };
    const tried = await callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: '01', draft } });
    expect(tried.decode).toMatchObject({ ok: false, error: { code: 'SCRIPT_TIMEOUT' } });
    expect((await callApi(apiRoutes.getCodec, { params })).active?.version).toBe(3);
  });

  it('answers other requests while a draft piles up memory, then gives that frame its error', async () => {
    const draft = {
      kind: 'script' as const,
      source: 'function decode() { var a = []; for (;;) a.push("x".repeat(100000) + a.length); }',
    };
    const bomb = callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: '01', draft } });
    let answered = 0;
    let settled = false;
    void bomb.finally(() => (settled = true));
    while (!settled) {
      const started = Date.now();
      await callApi(apiRoutes.health);
      expect(Date.now() - started).toBeLessThan(500);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(answered).toBeGreaterThan(3);
    const tried = await bomb;
    expect(['SCRIPT_KILLED', 'SCRIPT_OUT_OF_MEMORY']).toContain(tried.decode?.ok === false && tried.decode.error.code);
  });

  it('manages samples and deletes the codec', async () => {
    await expect(
      callApi(apiRoutes.addCodecSample, {
        params,
        body: { direction: 'uplink', name: 'extra', hex: 'zz', expected: { kind: 'data', services: [] } },
      }),
    ).rejects.toMatchObject({ status: 400 });
    const added = await callApi(apiRoutes.addCodecSample, {
      params,
      body: { direction: 'uplink', name: 'extra', hex: '025514', expected: { kind: 'data', services: [] } },
    });
    await callApi(apiRoutes.deleteCodecSample, { params: { ...params, sampleId: added.id } });
    await callApi(apiRoutes.deleteCodec, { params });
    await expect(callApi(apiRoutes.getCodec, { params })).rejects.toMatchObject({
      status: 404,
      code: 'CODEC_NOT_FOUND',
    });
    await expect(
      callApi(apiRoutes.tryCodec, { params, body: { direction: 'decode', hex: '01' } }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});
