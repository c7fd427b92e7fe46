// Object 19 uplink: each /19/0/0 frame goes to the uplink pipeline, a decoded command response to the device
// link with its mid, and notifications report the device without a status write for each one. PCP frames
// are set apart only for products that upgrade over PCP, and only when the whole frame is valid.
import { afterEach, describe, expect, it } from 'vitest';
import { pcpFrameOf } from '../../../../../core/access/coap/object19-uplink.js';
import type { ProductModel } from '../../../../../core/contract/product-model.js';
import { startCoapAccess, type CoapAccessHarness } from '../../../../support/coap-access-harness.js';
import { eventually } from '../../../../support/device-api.js';
import { Lwm2mTestClient } from '../../../../support/lwm2m-test-client.js';

let harness: CoapAccessHarness | undefined;
const clients: Lwm2mTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await harness?.stop();
  harness = undefined;
});

async function meter(h: CoapAccessHarness, endpoint: string) {
  const c = new Lwm2mTestClient({
    port: h.port,
    endpoint,
    resources: { '/19/0/0': { type: 'opaque', value: '' }, '/19/1/0': { type: 'opaque', value: '' } },
  });
  await c.open();
  clients.push(c);
  await c.register(300, '</19/0>,</19/1>');
  await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
  return c;
}

describe('object 19 uplink', () => {
  it('hands a command response to the device link with the mid as the command id', async () => {
    const h = (harness = await startCoapAccess([{ nodeId: 'M1' }]));
    const c = await meter(h, 'M1');
    h.decodeAs({ kind: 'commandResponse', mid: 7, errcode: 0, body: { result: 1 }, commandName: 'SET_DEVICE_LEVEL' });
    c.notify('/19/0/0', Buffer.from('8200070001', 'hex'));
    const response = await eventually(() => h.responses[0]);
    expect(response).toEqual({
      at: h.clock.now(),
      deviceId: 'P_M1',
      protocol: 'lwm2m',
      commandId: '7',
      resultCode: 0,
      body: { result: 1 },
    });
    expect(h.decoded).toEqual([{ deviceId: 'P_M1', source: '/19/0/0', hex: '8200070001' }]);
  });

  it('reports a notifying device at most every 30 s: one status write and one reported per window', async () => {
    const h = (harness = await startCoapAccess([{ nodeId: 'M2' }]));
    const c = await meter(h, 'M2');
    const reportedBefore = h.presence.filter((p) => p.kind === 'reported').length;
    const statusBefore = h.status.length;
    h.clock.advance(31_000);
    for (let i = 0; i < 3; i++) c.notify('/19/0/0', Buffer.from([1, i]));
    await eventually(() => (h.decoded.length === 3 ? true : undefined));
    expect(h.presence.filter((p) => p.kind === 'reported').length - reportedBefore).toBe(1);
    expect(h.status.length - statusBefore).toBe(1);
  });
});

/** Report upgrade result, success, version V1.0 (facts §6.3): a valid device-sent PCP frame. */
const PCP_REPORT = 'FFFE0118C7D200110056312E30000000000000000000000000';
/** The same frame with a wrong checksum. */
const BAD_CHECKSUM = 'FFFE0118C7D300110056312E30000000000000000000000000';
const withPcp = { omCapability: { upgrade: { supported: true, protocol: 'PCP' } } } as ProductModel;
const withoutPcp = { omCapability: {} } as ProductModel;

describe('PCP on object 19 (R-15.5)', () => {
  it('is PCP only for a product that upgrades over PCP and a frame valid in every field', () => {
    const bytes = Buffer.from(PCP_REPORT, 'hex');
    expect(pcpFrameOf(withPcp, bytes)).toMatchObject({ valid: true, code: 24, kind: 'request' });
    expect(pcpFrameOf(withoutPcp, bytes)).toBeUndefined();
    expect(pcpFrameOf(undefined, bytes)).toBeUndefined();
    expect(
      pcpFrameOf({ omCapability: { upgrade: { supported: false, protocol: 'PCP' } } } as ProductModel, bytes),
    ).toBeUndefined();
    expect(pcpFrameOf(withPcp, Buffer.from(BAD_CHECKSUM, 'hex'))).toBeUndefined();
    expect(pcpFrameOf(withPcp, Buffer.from('FFFE2A', 'hex'))).toBeUndefined();
    expect(pcpFrameOf(withPcp, Buffer.from(PCP_REPORT.slice(0, -2), 'hex'))).toBeUndefined();
  });

  it('keeps a valid PCP frame of a PCP product from the codec but gives FF FE bytes of other products to it', async () => {
    const h = (harness = await startCoapAccess(
      [
        { nodeId: 'UP1', productId: 'PCP' },
        { nodeId: 'PLAIN1', productId: 'RAW' },
      ],
      {
        PCP: withPcp,
        RAW: withoutPcp,
      },
    ));
    const upgrading = await meter(h, 'UP1');
    const plain = await meter(h, 'PLAIN1');
    upgrading.notify('/19/0/0', Buffer.from(PCP_REPORT, 'hex'));
    upgrading.notify('/19/0/0', Buffer.from(BAD_CHECKSUM, 'hex'));
    plain.notify('/19/0/0', Buffer.from(PCP_REPORT, 'hex'));
    await eventually(() => (h.decoded.length === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(h.decoded.map((d) => `${d.deviceId} ${d.hex.toUpperCase()}`).sort()).toEqual([
      `PCP_UP1 ${BAD_CHECKSUM}`,
      `RAW_PLAIN1 ${PCP_REPORT}`,
    ]);
    expect(h.capability.pcpSupport('PCP_UP1')).toBe(true);
    expect(h.capability.pcpSupport('RAW_PLAIN1')).toBe(false);
    expect(h.capability.pcpSupport('nobody')).toBeUndefined();
  });
});
