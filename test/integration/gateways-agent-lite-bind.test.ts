// Agent-Lite-style bind with real clients: a device registered in verification-code mode (verifyCode =
// nodeId) binds once over HTTP with curl, gets its deviceId and MQTT secret, and then logs in with the Python paho
// client; a wrong code, an unknown nodeId, a second bind and the registration's old secret are all refused. The same
// port speaks HTTPS with the device-facing (MQTTS) certificate, checked by curl against that certificate.
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { curl, curlJson } from '../support/curl.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { startPahoGateway } from '../support/paho-gateway.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const APP_ID = 'agent_lite_app';
const APP_SECRET = 'agent-lite-secret-0123';
let core: RunningCore;
const call = contractCaller(() => core);
let productId: string;
let nbBase: string;
let nbToken: string;
let receiver: TestReceiverServer;
let deviceId: string;
let registrationSecret: string;
let dataDir: string;

const bindUrl = () => `http://127.0.0.1:${core.runtime.ports.bind}/iocm/dev/sec/v1.1.0/bind`;
const bind = async (verifyCode: string, nodeId: string) => {
  const r = await curl([
    '-X',
    'POST',
    '-H',
    'content-type: application/json',
    '--data',
    JSON.stringify({ verifyCode, deviceInfo: { nodeId, manufacturerId: 'WorkbenchSamples', model: 'GW100MQTT' } }),
    bindUrl(),
  ]);
  expect(r.exitCode).toBe(0);
  return { status: r.status, json: curlJson(r) ?? {} };
};
async function nb(path: string, body: unknown) {
  const response = await fetch(`${nbBase}${path}`, {
    method: 'POST',
    headers: { app_key: APP_ID, authorization: `Bearer ${nbToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dataDir = tempDir();
  core = await startCore({ dataDir, clock, appId: APP_ID, appSecret: APP_SECRET });
  productId = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'Gateway_WorkbenchSamples_GW100MQTT' } })
  ).id;
  nbBase = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  const login = await fetch(`${nbBase}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  nbToken = ((await login.json()) as { accessToken: string }).accessToken;
  receiver = await startReceiver();
  expect(
    (await nb('/iocm/app/sub/v1.2.0/subscriptions', { notifyType: 'bindDevice', callbackUrl: receiver.url('/bind') }))
      .status,
  ).toBe(201);
  // §1.3 verification-code mode; for Agent Lite devices the verify code is the nodeId.
  const registered = await nb('/iocm/app/reg/v1.1.0/deviceCredentials', {
    nodeId: 'al-gw-1',
    verifyCode: 'al-gw-1',
    productId,
    timeout: 600,
  });
  expect(registered.status).toBe(200);
  deviceId = registered.json.deviceId as string;
  registrationSecret = registered.json.psk as string;
});

afterAll(async () => {
  await receiver.close();
  await core.stop();
});

describe('Agent-Lite-style bind', () => {
  it('shows the device as waiting for its bind', async () => {
    const device = await call(apiRoutes.getDevice, { params: { id: deviceId } });
    expect(device).toMatchObject({ verifyCode: 'al-gw-1', activated: false, status: 'inactive' });
    expect(device.boundAt).toBeUndefined();
  });

  it('refuses a wrong verify code and an unknown nodeId, with the Agent Lite result codes', async () => {
    const wrong = await bind('not-the-code', 'al-gw-1');
    expect(wrong.status).toBe(403);
    expect(wrong.json).toMatchObject({ resultCode: 255, error_code: 'BIND_WRONG_CODE' });
    const unknown = await bind('nobody', 'nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ resultCode: 1, error_code: 'BIND_NOT_REGISTERED' });
    const garbage = await curl(['-X', 'POST', '--data', '{"verifyCode":', bindUrl()]);
    expect(garbage.status).toBe(400);
    expect(curlJson(garbage)).toMatchObject({ resultCode: 255, error_code: 'BAD_JSON' });
    expect((await call(apiRoutes.getDevice, { params: { id: deviceId } })).activated).toBe(false);
  });

  it('binds once: the device gets its deviceId and MQTT secret, the application hears bindDevice', async () => {
    const bound = await bind('al-gw-1', 'al-gw-1');
    expect(bound.status).toBe(200);
    expect(bound.json).toMatchObject({
      resultCode: 0,
      deviceId,
      appId: APP_ID,
      mqttAddr: '127.0.0.1',
      mqttPort: core.runtime.ports.mqtt,
    });
    expect(bound.json.deviceSecret).toMatch(/^[0-9a-f]{24}$/);
    expect(bound.json.deviceSecret).not.toBe(registrationSecret);
    const device = await call(apiRoutes.getDevice, { params: { id: deviceId } });
    expect(device.activated).toBe(true);
    expect(device.boundAt).toBe(new Date(clock.now()).toISOString());
    const push = await eventually(() => receiver.received.find((r) => r.path === '/bind'));
    expect(push.json).toMatchObject({ notifyType: 'bindDevice', deviceId, resultCode: 'succeeded' });

    const again = await bind('al-gw-1', 'al-gw-1');
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ resultCode: 255, error_code: 'BIND_ALREADY_BOUND' });

    // The device logs in with what the bind gave it (paho, §2.1 login); the registration's secret no longer works.
    const old = startPahoGateway(core.runtime.ports.mqtt ?? 0, deviceLogin(deviceId, registrationSecret));
    expect(await old.connected).not.toBe(0);
    await old.vanish();
    const device2 = startPahoGateway(
      bound.json.mqttPort as number,
      deviceLogin(bound.json.deviceId as string, bound.json.deviceSecret as string),
    );
    try {
      expect(await device2.connected).toBe(0);
      await eventually(async () =>
        (await call(apiRoutes.getDevice, { params: { id: deviceId } })).status === 'online' ? true : undefined,
      );
    } finally {
      await device2.vanish();
    }
  });

  it('binds over HTTPS on the same port, with the certificate the device pins for MQTTS', async () => {
    const registered = await nb('/iocm/app/reg/v1.1.0/deviceCredentials', {
      nodeId: 'al-gw-tls',
      verifyCode: 'al-gw-tls',
      productId,
      timeout: 600,
    });
    expect(registered.status).toBe(200);
    const body = JSON.stringify({ verifyCode: 'al-gw-tls', deviceInfo: { nodeId: 'al-gw-tls' } });
    const url = `https://localhost:${core.runtime.ports.bind}/iocm/dev/sec/v1.1.0/bind`;
    const args = ['-X', 'POST', '-H', 'content-type: application/json', '--data', body, url];
    // Without the certificate curl refuses the self-signed server: it is really TLS.
    const untrusted = await curl(args);
    expect(untrusted.exitCode).not.toBe(0);
    const bound = await curl(['--cacert', join(dataDir, 'mqtts', 'server-cert.pem'), ...args]);
    expect(bound.exitCode).toBe(0);
    expect(bound.status).toBe(200);
    expect(curlJson(bound)).toMatchObject({ resultCode: 0, deviceId: registered.json.deviceId, mqttAddr: 'localhost' });
    // Plain HTTP still works beside it.
    const plain = await bind('al-gw-tls', 'al-gw-tls');
    expect(plain.json).toMatchObject({ error_code: 'BIND_ALREADY_BOUND' });
  });

  it('closes a connection that opens like TLS and then sends garbage, and goes on serving', async () => {
    const socket = connect(core.runtime.ports.bind ?? 0, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A ClientHello record too short to be one.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0xff]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // The server answered with a TLS alert record before closing.
    expect(Buffer.concat(received)[0]).toBe(0x15);
    const after = await bind('nobody', 'nobody');
    expect(after.status).toBe(404);
  });

  it('refuses a bind after the registration timed out (the device is gone)', async () => {
    const late = await nb('/iocm/app/reg/v1.1.0/deviceCredentials', {
      nodeId: 'al-gw-2',
      verifyCode: 'al-gw-2',
      productId,
      timeout: 60,
    });
    expect(late.status).toBe(200);
    clock.advance(61_000);
    await eventually(async () =>
      (await core.api(`/api/devices/${late.json.deviceId as string}`)).status === 404 ? true : undefined,
    );
    const refused = await bind('al-gw-2', 'al-gw-2');
    expect(refused.status).toBe(404);
    expect(refused.json).toMatchObject({ resultCode: 1 });
  });
});
