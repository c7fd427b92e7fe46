// A real core on ephemeral ports, reached over real HTTP and WebSocket connections.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
});
afterAll(async () => {
  await core.stop();
});

function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(core.runtime.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(url.port), path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface WsMessage {
  type: string;
  events?: { topic: string; event: Record<string, unknown> }[];
  code?: string;
  dropped?: number;
}

function openEvents(protocols?: string[]): {
  ws: WebSocket;
  messages: WsMessage[];
  next(pred: (m: WsMessage) => boolean): Promise<WsMessage>;
} {
  const ws = new WebSocket(core.runtime.apiUrl.replace('http', 'ws') + '/api/events', protocols);
  const messages: WsMessage[] = [];
  const waiters: { pred: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }[] = [];
  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as WsMessage;
    messages.push(m);
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  return {
    ws,
    messages,
    next: (pred) =>
      new Promise((resolve) => {
        const found = messages.find(pred);
        if (found) resolve(found);
        else waiters.push({ pred, resolve });
      }),
  };
}

describe('the workbench API', () => {
  it('answers health with the token', async () => {
    const res = await core.api('/api/health');
    expect(res.status).toBe(200);
    expect(apiRoutes.health.response.parse(await res.json()).status).toBe('ok');
  });

  it('refuses a request without the token, or with a wrong one', async () => {
    const none = await fetch(core.runtime.apiUrl + '/api/health');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    const wrong = await core.api('/api/health', { headers: { authorization: 'Bearer ' + 'x'.repeat(48) } });
    expect(wrong.status).toBe(401);
  });

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    const port = new URL(core.runtime.apiUrl).port;
    const evil = await rawGet('/api/health', {
      host: `attacker.example:${port}`,
      authorization: `Bearer ${core.runtime.token}`,
    });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body)).toMatchObject({ code: 'BAD_HOST' });
    const local = await rawGet('/api/health', {
      host: `localhost:${port}`,
      authorization: `Bearer ${core.runtime.token}`,
    });
    expect(local.status).toBe(200);
  });

  it('sets no cookies', async () => {
    const res = await core.api('/api/platform');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('reports the platform with the ports the OS assigned', async () => {
    const info = apiRoutes.info.response.parse(await (await core.api('/api/platform')).json());
    expect(info.ports).toEqual(core.runtime.ports);
    expect(info.ports.mqtt).toBeGreaterThan(0);
    expect(info.listeners.map((l) => `${l.name}/${l.protocol}`).sort()).toEqual([
      'bind/tcp',
      'coap/udp',
      'mqtt/tcp',
      'northbound/tcp',
      'ota-http/tcp',
    ]);
    expect(info.dataDir).toBe(core.runtime.dataDir);
    expect(info.hostAddresses.some((a) => a.address === '127.0.0.1')).toBe(true);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const res = await core.api('/api/settings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mqttPort: 99999 }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', path: 'body.mqttPort' });
  });

  it('answers an unknown API path with a JSON 404', async () => {
    const res = await core.api('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves the OpenAPI document generated from the contract', async () => {
    const doc = (await (await core.api('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/platform', '/api/settings', '/api/logs']),
    );
  });

  it('returns recent log lines', async () => {
    const body = apiRoutes.logs.response.parse(await (await core.api('/api/logs?limit=50&minLevel=trace')).json());
    expect(body.entries.some((e) => e.message.includes('API listening'))).toBe(false); // logLevel warn in tests
    expect(Array.isArray(body.entries)).toBe(true);
  });
});

describe('the live event stream', () => {
  it('streams bus events in batches after the auth message', async () => {
    const client = openEvents();
    await new Promise((r) => client.ws.once('open', r));
    client.ws.send(JSON.stringify({ type: 'auth', token: core.runtime.token }));
    await client.next((m) => m.type === 'ready');
    for (let i = 0; i < 3; i++) core.platform.bus.publish('device', { at: i, deviceId: `p_${i}`, kind: 'online' });
    const batch = await client.next((m) => m.type === 'batch');
    expect(batch.events?.map((e) => e.event.deviceId)).toEqual(['p_0', 'p_1', 'p_2']);
    expect(batch.dropped).toBe(0);
    client.ws.close();
  });

  it('accepts the token as a subprotocol and honours topic subscriptions', async () => {
    const client = openEvents([`iotwb.token.${core.runtime.token}`]);
    await client.next((m) => m.type === 'ready');
    client.ws.send(JSON.stringify({ type: 'subscribe', topics: ['task'] }));
    await new Promise((r) => setTimeout(r, 50));
    core.platform.bus.publish('device', { at: 1, deviceId: 'ignored', kind: 'online' });
    core.platform.bus.publish('task', { at: 2, taskId: 't1', kind: 'reboot', status: 'Waiting' });
    const batch = await client.next((m) => m.type === 'batch');
    expect(batch.events?.map((e) => e.topic)).toEqual(['task']);
    client.ws.close();
  });

  it('closes the stream on a wrong token', async () => {
    const client = openEvents();
    await new Promise((r) => client.ws.once('open', r));
    client.ws.send(JSON.stringify({ type: 'auth', token: 'wrong-token-wrong-token' }));
    const closed = await new Promise<number>((r) => client.ws.once('close', (code) => r(code)));
    expect(closed).toBe(4401);
    expect(client.messages).toContainEqual(expect.objectContaining({ type: 'error', code: 'UNAUTHORIZED' }));
  });

  it('refuses an event stream opened from a foreign web page', async () => {
    const ws = new WebSocket(core.runtime.apiUrl.replace('http', 'ws') + '/api/events', {
      origin: 'http://evil.example',
    });
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
  });

  it('answers a malformed message with an error and keeps the stream open', async () => {
    const client = openEvents([`iotwb.token.${core.runtime.token}`]);
    await client.next((m) => m.type === 'ready');
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ type: 'subscribe', topics: ['nope'] }));
    const errors = await new Promise<WsMessage[]>((resolve) => {
      const check = () => {
        const e = client.messages.filter((m) => m.type === 'error');
        if (e.length >= 2) resolve(e);
        else setTimeout(check, 10);
      };
      check();
    });
    expect(errors.map((e) => e.code)).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE']);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
  });
});
