// The one-flow bring-up in a real core: the module emulator on a socat pty goes IMEI → registered device → CDP set →
// reboot → LwM2M registration → first uplink (AT+NMGS with a water-meter frame) decoded by the sample codec.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../core/contract/devices.js';
import type { BusEventMap } from '../../core/contract/events.js';
import type { BringUpState, PlatformAddresses, SerialSession, VirtualModule } from '../../core/contract/serial.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-bring-up-');
const IMEI = '861234567890777';
const WATER_METER = 'WaterMeter_TestUtf8ManuId_NBIoTDevice';
const BASIC_REPORT = '0100BC614E00000E1000D7007D';
let core: RunningCore;

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const r = await core.api(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Resolves with the flow's state once its task event says it stopped running. */
function flowEnd(sessionId: string): Promise<BringUpState> {
  return new Promise((resolve) => {
    const off = core.platform.bus.subscribe('task', (e: BusEventMap['task']) => {
      if (e.taskId !== `bring-up-${sessionId}` || e.status === 'running') return;
      off();
      void call<BringUpState>(`/api/serial/sessions/${sessionId}/bring-up`).then((r) => resolve(r.body));
    });
  });
}

const stepStates = (state: BringUpState) => Object.fromEntries(state.steps.map((s) => [s.id, s.state]));
const step = (state: BringUpState, id: string) => state.steps.find((s) => s.id === id);

let sessionId: string;
let productId: string;
let moduleId: string;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  const product = await call<{ id: string }>(`/api/products/samples/${WATER_METER}`, 'POST');
  expect(product.status).toBe(201);
  productId = product.body.id;
  const codec = await call<{ versions: { version: number }[] }>(`/api/codecs/${productId}/install-sample`, 'POST', {
    name: 'water-meter',
    kind: 'layout',
  });
  expect(codec.status, JSON.stringify(codec.body)).toBe(201);
  const version = codec.body.versions.at(-1)?.version ?? 1;
  expect((await call(`/api/codecs/${productId}/versions/${version}/activate`, 'POST')).status).toBe(200);
  const started = await call<VirtualModule>('/api/serial/virtual-modules', 'POST', { imei: IMEI });
  moduleId = started.body.id;
  const opened = await call<SerialSession>('/api/serial/sessions', 'POST', { path: started.body.path, baudRate: 9600 });
  sessionId = opened.body.id;
}, 30_000);

afterAll(async () => {
  await call(`/api/serial/sessions/${sessionId}`, 'DELETE');
  await call(`/api/serial/virtual-modules/${moduleId}`, 'DELETE');
  await core.stop();
});

describe('bring-up of a module on a pty', () => {
  it('offers loopback first and the CoAP port the core listens on', async () => {
    const addresses = await call<PlatformAddresses>('/api/serial/bring-up/addresses');
    expect(addresses.body.coapPort).toBe(core.runtime.ports.coap);
    expect(addresses.body.addresses[0]).toMatchObject({ host: '127.0.0.1', internal: true });
  });

  it('refuses a product that is not CoAP/LwM2M, naming why', async () => {
    const lamp = await call<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', 'POST');
    const refused = await call<{ code: string; message: string }>(
      `/api/serial/sessions/${sessionId}/bring-up`,
      'POST',
      {
        productId: lamp.body.id,
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'PRODUCT_NOT_LWM2M' });
    expect(refused.body.message).toMatch(/uses MQTT; an NB-IoT module needs a CoAP\/LwM2M product/);
  });

  it('goes IMEI → registered → CDP set → reboot → LwM2M registration → first uplink decoded by the codec', async () => {
    const ended = flowEnd(sessionId);
    const started = await call<BringUpState>(`/api/serial/sessions/${sessionId}/bring-up`, 'POST', {
      productId,
      uplinkHex: BASIC_REPORT,
      registrationTimeoutS: 15,
      uplinkTimeoutS: 15,
    });
    expect(started.status).toBe(202);
    expect(started.body.running).toBe(true);
    const again = await call<{ code: string }>(`/api/serial/sessions/${sessionId}/bring-up`, 'POST', { productId });
    expect(again.status).toBe(409);

    const done = await ended;
    const failed = done.steps.find((s) => s.state === 'failed');
    expect(failed?.message ?? 'none failed').toBe('none failed');
    expect(stepStates(done)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'ok',
      reboot: 'ok',
      registration: 'ok',
      uplink: 'ok',
    });
    const deviceId = `${productId}_${IMEI}`;
    expect(done).toMatchObject({ imei: IMEI, deviceId, server: { host: '127.0.0.1', port: core.runtime.ports.coap } });
    expect(step(done, 'register')?.result).toEqual({ deviceId, created: true });
    const cdpCommands = step(done, 'cdp')?.evidence.map((e) => (e.kind === 'at' ? e.result.command : e.kind));
    expect(cdpCommands).toEqual(['AT+CFUN=0', `AT+NCDP=127.0.0.1,${core.runtime.ports.coap}`, 'AT+NCDP?']);
    const coap = step(done, 'registration')?.evidence.flatMap((e) =>
      e.kind === 'coap' ? [`${e.direction} ${e.summary}`] : [],
    );
    expect(coap?.some((line) => line.startsWith(`in POST /rd?ep=${IMEI}`))).toBe(true);
    expect(coap?.some((line) => line.startsWith('out 2.01 Created'))).toBe(true);
    expect(done.uplink).toMatchObject({
      serviceId: 'WaterMeterBasic',
      data: { currentReading: 12345.678, temperature: 21.5 },
    });
    expect(step(done, 'uplink')?.evidence[0]).toMatchObject({
      kind: 'at',
      result: { command: `AT+NMGS=13,${BASIC_REPORT}`, final: 'ok' },
    });

    const device = await call<Device>(`/api/devices/${deviceId}`);
    expect(device.body).toMatchObject({ nodeId: IMEI, status: 'online' });
  }, 60_000);

  it('runs a single step again alone (the device is found, not registered twice)', async () => {
    const ended = flowEnd(sessionId);
    await call(`/api/serial/sessions/${sessionId}/bring-up`, 'POST', { productId, step: 'register' });
    const done = await ended;
    expect(step(done, 'register')).toMatchObject({ state: 'ok', result: { created: false } });
    expect(step(done, 'uplink')?.state).toBe('ok');
  });
});

describe('a bring-up that fails', () => {
  it('stops at the registration with the reason when the CDP address is wrong, then continues after a retry', async () => {
    const other = await call<VirtualModule>('/api/serial/virtual-modules', 'POST', { imei: '861234567890888' });
    const id = (await call<SerialSession>('/api/serial/sessions', 'POST', { path: other.body.path, baudRate: 9600 }))
      .body.id;
    // A UDP port nobody serves: the module's registration goes nowhere.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const wrongPort = silent.address().port;
    silent.close();

    let ended = flowEnd(id);
    await call(`/api/serial/sessions/${id}/bring-up`, 'POST', {
      productId,
      server: { host: '127.0.0.1', port: wrongPort },
      registrationTimeoutS: 2,
    });
    const failed = await ended;
    expect(stepStates(failed)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'ok',
      reboot: 'ok',
      registration: 'failed',
      uplink: 'skipped',
    });
    expect(step(failed, 'registration')?.message).toBe(
      'no LwM2M registration from ep=861234567890888 within 2 s: check the CDP address and that the module has coverage',
    );
    expect(step(failed, 'uplink')?.message).toBe('step "registration" failed');

    ended = flowEnd(id);
    await call(`/api/serial/sessions/${id}/bring-up`, 'POST', { productId, from: 'cdp', uplinkHex: '025514' });
    const fixed = await ended;
    expect(stepStates(fixed)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'ok',
      reboot: 'ok',
      registration: 'ok',
      uplink: 'ok',
    });
    expect(fixed.uplink).toEqual({ serviceId: 'Battery', data: { batteryLevel: 85, batteryThreshold: 20 } });

    await call(`/api/serial/sessions/${id}`, 'DELETE');
    await call(`/api/serial/virtual-modules/${other.body.id}`, 'DELETE');
  }, 60_000);
});
