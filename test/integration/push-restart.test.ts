// Durable push: `serve` is killed with SIGKILL while 500 data pushes wait for a callback URL that answers 503; after a
// restart on the same data folder every one of them arrives. Delivery is at least once: a push the receiver took
// just before the kill may come again, so the receiver dedupes by requestId, as application servers should.
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceLogin, eventually } from '../support/device-api.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const APP_ID = 'ci_push_app';
const APP_SECRET = 'ci-push-secret-0123456789';
const REPORTS = 500;
let serve: ServeProcess | undefined;
let receiver: TestReceiverServer | undefined;

afterAll(async () => {
  await serve?.stop();
  await receiver?.close();
});

async function northbound(base: string, token: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { app_key: APP_ID, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, string>;
}

describe('push queue across kill -9', () => {
  it('delivers all 500 queued pushes after a SIGKILL and a restart', async () => {
    const dataDir = tempDir();
    const args = ['--app-id', APP_ID, '--app-secret', APP_SECRET];
    serve = await startServe(dataDir, args);
    const api = serve.ready.api;
    const token = serve.ready.token;
    const sample = await fetch(`${api}/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const productId = ((await sample.json()) as { id: string }).id;

    const base = `http://127.0.0.1:${serve.ready.ports.northbound}`;
    const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
    });
    const access = ((await login.json()) as { accessToken: string }).accessToken;
    receiver = await startReceiver();
    receiver.answer = 503;
    await northbound(base, access, '/iocm/app/sub/v1.2.0/subscriptions', {
      notifyType: 'deviceDataChanged',
      callbackUrl: receiver.url(),
    });
    const device = await northbound(base, access, '/iocm/app/reg/v2.0.0/deviceCredentials', {
      deviceInfo: { nodeId: 'KILL-1' },
      productId,
    });

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ready.ports.mqtt}`, {
      ...deviceLogin(device.deviceId!, device.secret!),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    // Each PUBACK comes after the report and its push are committed.
    for (let i = 0; i < REPORTS; i++)
      await client.publishAsync(
        `$oc/devices/${device.deviceId}/sys/properties/report`,
        JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: i % 100 } }] }),
        { qos: 1 },
      );
    client.end(true);
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(receiver.received.length).toBeLessThan(5);

    const killed = await serve.stop('SIGKILL');
    expect(killed.code).toBeNull();
    receiver.answer = 200;
    serve = await startServe(dataDir, args);

    await eventually(() => {
      const ids = new Set(receiver!.received.map((r) => r.json.requestId));
      return ids.size === REPORTS ? ids : undefined;
    }, 30_000);
    const delivered = receiver.received.filter((r) => r.json.notifyType === 'deviceDataChanged');
    const unique = new Map(delivered.map((r) => [r.json.requestId, r]));
    expect(unique.size).toBe(REPORTS);
    // Order kept: the brightness values arrive as they were reported (duplicates of the head aside).
    const values = [...unique.values()].map(
      (r) => (r.json.service as { data: { brightness: number } }).data.brightness,
    );
    expect(values).toEqual([...Array(REPORTS).keys()].map((i) => i % 100));
    // The 503 answers before the kill were for the first message only: it is the one delivered more than once.
    expect(delivered.length - REPORTS).toBe(
      delivered.filter((r) => r.json.requestId === delivered[0]?.json.requestId).length - 1,
    );
  }, 90_000);
});
