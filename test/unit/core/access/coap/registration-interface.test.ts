// The registration interface on /rd as the device link sees it: online on a first registration, reregistered when
// a registration replaces one, reported on updates, offline when the device deregisters or its lifetime runs out.
import { afterEach, describe, expect, it } from 'vitest';
import { echo } from '../../../../../core/access/coap/registration-interface.js';
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

async function client(h: CoapAccessHarness, endpoint: string) {
  const c = new Lwm2mTestClient({ port: h.port, endpoint, resources: { '/3/0/0': 'Acme' } });
  await c.open();
  clients.push(c);
  return c;
}

const kinds = (h: CoapAccessHarness) => h.presence.map((p) => `${p.kind} ${p.deviceId} ${p.protocol}`);

describe('presence on the device link', () => {
  it('reports online, reregistered, reported on an update and offline on deregistration', async () => {
    const h = (harness = await startCoapAccess([{ nodeId: '868000000000001' }]));
    const c = await client(h, '868000000000001');
    expect((await c.register()).code).toBe('2.01');
    expect(kinds(h)).toEqual(['online P_868000000000001 lwm2m']);
    expect((await c.register()).code).toBe('2.01');
    expect(kinds(h).at(-1)).toBe('reregistered P_868000000000001 lwm2m');
    h.clock.advance(1000);
    expect((await c.update(600)).code).toBe('2.04');
    expect(kinds(h).at(-1)).toBe('reported P_868000000000001 lwm2m');
    expect((await c.deregister()).code).toBe('2.02');
    expect(kinds(h).at(-1)).toBe('offline P_868000000000001 lwm2m');
    expect(h.presence.at(-1)!.at).toBe(h.clock.now());
    // A device that says it is leaving is offline in the status engine at once.
    expect(h.status.at(-1)).toBe('left P_868000000000001');
  });

  it('reports offline when the lifetime of a registration runs out', async () => {
    const h = (harness = await startCoapAccess([{ nodeId: '868000000000002' }]));
    const c = await client(h, '868000000000002');
    await c.register(120);
    h.clock.advance(121_000);
    await eventually(() => (kinds(h).at(-1) === 'offline P_868000000000002 lwm2m' ? true : undefined));
    // Silence is not leaving: the status stays with the 25 h rule.
    expect(h.status.filter((s) => s.startsWith('left'))).toEqual([]);
  });
});

describe('echo of device input in refusals', () => {
  it('keeps the first 64 characters and marks the cut', () => {
    expect(echo('868000000000001')).toBe('868000000000001');
    expect(echo('x'.repeat(64))).toBe('x'.repeat(64));
    expect(echo('x'.repeat(2000))).toBe(`${'x'.repeat(64)}…`);
  });
});
