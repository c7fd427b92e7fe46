// The platform side of the bring-up: a registration is read from the CoAP frames on the bus (POST /rd ep=IMEI
// answered 2.01), a refusal and a silence are told apart, the first decoded uplink ends the wait, garbage is ignored.
import coapPacket from 'coap-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../core/clock.js';
import type { Device } from '../../../../core/contract/devices.js';
import type { ProtocolType } from '../../../../core/contract/product-model.js';
import { createBringUpPlatform } from '../../../../core/serial/bring-up-platform.js';

const IMEI = '861234567890123';
const PEER = '127.0.0.1:40001';

function setup() {
  const clock = createManualClock();
  const bus = createEventBus((_topic, error) => {
    throw error;
  });
  const devices: Device[] = [];
  const products: Record<string, ProtocolType> = { meter: 'CoAP', lamp: 'MQTT' };
  const platform = createBringUpPlatform({
    bus,
    clock,
    coapListener: () => ({ port: 5683, address: '0.0.0.0' }),
    product: (id) => (products[id] ? { protocolType: products[id] } : undefined),
    devices: () => ({
      get: (id) => devices.find((d) => d.deviceId === id),
      findByNodeId: (nodeId) => devices.filter((d) => d.nodeId === nodeId),
      register(input) {
        const device: Device = {
          deviceId: `${input.productId}_${input.nodeId}`,
          productId: input.productId,
          nodeId: input.nodeId,
          protocolType: 'CoAP',
          status: 'inactive',
          activated: false,
          createdAt: '',
          updatedAt: '',
        };
        devices.push(device);
        return { device };
      },
    }),
  });
  const frame = (direction: 'in' | 'out', packet: Parameters<typeof coapPacket.generate>[0]) =>
    bus.publish('frame', {
      at: clock.now(),
      direction,
      transport: 'udp',
      protocol: 'coap',
      local: '127.0.0.1:5683',
      peer: PEER,
      bytesBase64: coapPacket.generate(packet).toString('base64'),
    });
  const register = (messageId: number) =>
    frame('in', {
      messageId,
      confirmable: true,
      code: 'POST',
      token: Buffer.from('t1'),
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Uri-Query', value: Buffer.from(`ep=${IMEI}`) },
        { name: 'Uri-Query', value: Buffer.from('lt=86400') },
      ],
      payload: Buffer.from('</19/0>'),
    });
  const answer = (messageId: number, code: string) =>
    frame('out', {
      messageId,
      ack: true,
      code,
      token: Buffer.from('t1'),
      options:
        code === '2.01'
          ? [
              { name: 'Location-Path', value: Buffer.from('rd') },
              { name: 'Location-Path', value: Buffer.from('a1') },
            ]
          : [],
    });
  return { clock, bus, platform, devices, register, answer, frame };
}

describe('bring-up platform', () => {
  it('accepts only CoAP/LwM2M products, with a clear error otherwise', () => {
    const { platform } = setup();
    expect(platform.productProblem('meter')).toBeUndefined();
    expect(platform.productProblem('lamp')).toEqual({
      code: 'PRODUCT_NOT_LWM2M',
      message: 'product lamp uses MQTT; an NB-IoT module needs a CoAP/LwM2M product',
    });
    expect(platform.productProblem('nope')?.code).toBe('PRODUCT_NOT_FOUND');
  });

  it('registers the IMEI once, finds it the second time, and refuses an IMEI owned by another product', () => {
    const { platform, devices } = setup();
    expect(platform.findOrRegisterDevice('meter', IMEI)).toMatchObject({ ok: true, value: { created: true } });
    expect(platform.findOrRegisterDevice('meter', IMEI)).toMatchObject({
      ok: true,
      value: { deviceId: `meter_${IMEI}`, created: false },
    });
    expect(devices).toHaveLength(1);
    const other = platform.findOrRegisterDevice('meter2', IMEI);
    expect(other.ok).toBe(false);
    expect(!other.ok && other.message).toMatch(
      `IMEI ${IMEI} is already registered as device meter_${IMEI} of product meter`,
    );
  });

  it('sees the registration in the CoAP frames, even one that came before the wait, with the exchange as evidence', async () => {
    const { platform, register, answer, clock } = setup();
    const release = platform.watch();
    const since = clock.now();
    register(11);
    answer(11, '2.01');
    clock.advance(50);
    const result = await platform.waitForRegistration(`meter_${IMEI}`, IMEI, { since, timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: true, value: { at: since } });
    expect(result.evidence.map((e) => (e.kind === 'coap' ? `${e.direction} ${e.summary}` : ''))).toEqual([
      `in POST /rd?ep=${IMEI}&lt=86400`,
      'out 2.01 Created /rd/a1',
    ]);
    release();
  });

  it('tells a refused registration from silence when the wait times out', async () => {
    const { platform, register, answer, clock } = setup();
    const release = platform.watch();
    const refused = platform.waitForRegistration(`meter_${IMEI}`, IMEI, { since: clock.now(), timeoutMs: 3000 });
    register(12);
    answer(12, '4.03');
    clock.advance(3000);
    const outcome = await refused;
    expect(!outcome.ok && outcome.message).toBe(`the platform refused the registration of ep=${IMEI} (4.03 Forbidden)`);

    const silent = platform.waitForRegistration(`meter_${IMEI}`, IMEI, { since: clock.now(), timeoutMs: 2000 });
    clock.advance(2000);
    const nothing = await silent;
    expect(!nothing.ok && nothing.message).toMatch(`no LwM2M registration from ep=${IMEI} within 2 s`);
    release();
  });

  it('ends the uplink wait at the first decoded data event of the device, with the notify as evidence', async () => {
    const { platform, register, answer, frame, bus, clock } = setup();
    const release = platform.watch();
    register(13);
    answer(13, '2.01');
    const since = clock.now();
    const waiting = platform.waitForDecodedUplink(`meter_${IMEI}`, IMEI, { since, timeoutMs: 5000 });
    frame('in', {
      messageId: 14,
      code: '2.05',
      token: Buffer.from('ob'),
      options: [{ name: 'Observe', value: Buffer.from([2]) }],
      payload: Buffer.from('025514', 'hex'),
    });
    bus.publish('data', { at: clock.now(), deviceId: 'someone-else', serviceId: 'X', data: {} });
    bus.publish('data', {
      at: clock.now(),
      deviceId: `meter_${IMEI}`,
      serviceId: 'Battery',
      data: { batteryLevel: 85 },
    });
    const result = await waiting;
    expect(result).toMatchObject({ ok: true, value: { serviceId: 'Battery', data: { batteryLevel: 85 } } });
    expect(result.evidence.at(-1)).toMatchObject({ kind: 'coap', summary: '2.05 Content 3 bytes 025514 observe' });
    release();
  });

  it('cancels a wait through its signal', async () => {
    const { platform, clock } = setup();
    const abort = new AbortController();
    const waiting = platform.waitForDecodedUplink(`meter_${IMEI}`, IMEI, {
      since: clock.now(),
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    abort.abort();
    expect(await waiting).toMatchObject({ ok: false, message: 'cancelled' });
  });

  it('ignores random and truncated frames (garbage) without throwing', () => {
    const { platform, bus, clock } = setup();
    const release = platform.watch();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, incoming) => {
        bus.publish('frame', {
          at: clock.now(),
          direction: incoming ? 'in' : 'out',
          transport: 'udp',
          protocol: 'coap',
          local: '127.0.0.1:5683',
          peer: PEER,
          bytesBase64: Buffer.from(bytes).toString('base64'),
        });
      }),
      { numRuns: 500 },
    );
    release();
  });
});
