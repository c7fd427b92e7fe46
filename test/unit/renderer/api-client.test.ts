import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { apiRoutes, defineRoute } from '../../../core/contract/index.js';
import { ApiClientError, createApiClient, toQueryString } from '../../../renderer/api/client.js';

const connection = { apiUrl: 'http://127.0.0.1:4321', token: 'a'.repeat(32) };

const platformInfo = {
  name: 'IoT Workbench',
  version: '0.1.0',
  dataDir: '/tmp/wb',
  databaseFile: '/tmp/wb/workbench.db',
  logFile: '/tmp/wb/logs/core.log',
  startedAt: 1_700_000_000_000,
  uptimeMs: 1234,
  ports: { api: 4321, mqtt: 1883, coap: 5683 },
  listeners: [{ name: 'mqtt', protocol: 'tcp', address: '0.0.0.0', port: 1883 }],
  hostAddresses: [],
  connectedDevices: 0,
  node: 'v20.19.0',
  os: 'linux',
};

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function clientReturning(response: Response | Error) {
  const fetchFn = vi.fn((_url: string, _init: RequestInit) =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
  return { client: createApiClient(connection, fetchFn), fetchFn };
}

describe('callApi', () => {
  it('sends the bearer token to the route path and returns the validated response', async () => {
    const { client, fetchFn } = clientReturning(jsonResponse(200, platformInfo));
    const info = await client.callApi(apiRoutes.info);
    expect(info.ports.mqtt).toBe(1883);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:4321/api/platform');
    expect(init.method).toBe('GET');
    expect((init.headers as Record<string, string>).Authorization).toBe(`Bearer ${connection.token}`);
    expect(init.credentials).toBe('omit');
    expect(init.body).toBeUndefined();
  });

  it('puts the query in the URL and a JSON body in the request', async () => {
    const { client, fetchFn } = clientReturning(jsonResponse(200, { entries: [] }));
    await client.callApi(apiRoutes.logs, { query: { limit: 50, minLevel: 'warn' } });
    expect(fetchFn.mock.calls[0]![0]).toBe('http://127.0.0.1:4321/api/logs?limit=50&minLevel=warn');

    const settings = { mqttPort: 1884, coapPort: 5683, deviceBindAddress: '0.0.0.0' };
    const saved = clientReturning(jsonResponse(200, { saved: settings, active: settings, restartRequired: true }));
    const result = await saved.client.callApi(apiRoutes.putSettings, { body: { mqttPort: 1884 } });
    expect(result.restartRequired).toBe(true);
    const [url, init] = saved.fetchFn.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:4321/api/settings');
    expect(init.method).toBe('PUT');
    expect(init.body).toBe('{"mqttPort":1884}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('fills and encodes path parameters', async () => {
    const route = defineRoute({
      method: 'DELETE',
      path: '/api/devices/:deviceId',
      tag: 'test',
      summary: 'test route',
      params: z.object({ deviceId: z.string() }),
      response: z.object({ ok: z.boolean() }),
    });
    const { client, fetchFn } = clientReturning(jsonResponse(200, { ok: true }));
    await client.callApi(route, { params: { deviceId: 'a b/c' } });
    expect(fetchFn.mock.calls[0]![0]).toBe('http://127.0.0.1:4321/api/devices/a%20b%2Fc');
  });

  it("maps the core's error body to an ApiClientError with code, message, path and status", async () => {
    const { client } = clientReturning(
      jsonResponse(400, { code: 'VALIDATION_FAILED', message: 'must be <= 65535', path: 'body.mqttPort' }),
    );
    const error = await client.callApi(apiRoutes.putSettings, { body: { mqttPort: 70000 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'must be <= 65535',
      path: 'body.mqttPort',
      status: 400,
    });
  });

  it('names the HTTP status when the error body is not the API error shape', async () => {
    const { client } = clientReturning(new Response('upstream exploded', { status: 502, statusText: 'Bad Gateway' }));
    await expect(client.callApi(apiRoutes.health)).rejects.toMatchObject({
      code: 'HTTP_502',
      status: 502,
      message: 'upstream exploded',
    });
  });

  it('reports an unreachable core as status 0', async () => {
    const { client } = clientReturning(new TypeError('fetch failed'));
    await expect(client.callApi(apiRoutes.health)).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('rejects a response that does not match the route schema, naming where', async () => {
    const { client } = clientReturning(jsonResponse(200, { ...platformInfo, ports: { mqtt: 'not a number' } }));
    const error = await client.callApi(apiRoutes.info).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({ code: 'RESPONSE_INVALID', status: 200, path: 'ports.mqtt' });
    expect((error as ApiClientError).message).toContain('GET /api/platform');
  });
});

describe('toQueryString', () => {
  it('leaves out undefined values and repeats arrays', () => {
    expect(toQueryString({ a: 1, b: undefined, c: ['x', 'y'] })).toBe('?a=1&c=x&c=y');
    expect(toQueryString(undefined)).toBe('');
    expect(toQueryString({})).toBe('');
  });
});
