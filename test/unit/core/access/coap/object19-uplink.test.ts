// Object 19 uplink: each /19/0/0 frame goes to the uplink pipeline, a decoded command response to the device
// link with its mid, and notifications report the device without a status write for each one.
import { afterEach, describe, expect, it } from 'vitest';
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
