// The LwM2M server end to end: libcoap's coap-client registering, a small LwM2M client over UDP for object 19
// data through the water meter codec, device management in TLV/SenML, block-wise transfers, observe and expiry.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import coapPacket from 'coap-packet';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type BusEventMap } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, eventually } from '../support/device-api.js';
import { Lwm2mTestClient } from '../support/lwm2m-test-client.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
const registrationEvents: BusEventMap['lwm2m'][] = [];
const frames: BusEventMap['frame'][] = [];
const clients: Lwm2mTestClient[] = [];

const coapPort = () => core.runtime.ports.coap!;
const coapUri = (path: string) => `coap://127.0.0.1:${coapPort()}${path}`;

async function coapClient(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('coap-client-notls', ['-B', '5', ...args], { timeout: 15_000 });
}

/** A CON POST /rd?ep=… written byte by byte: coap-packet refuses to build messages over 1280 bytes. */
function registrationDatagram(ep: string, messageId: number): Buffer {
  const option = (delta: number, value: Buffer) => {
    const ext = (n: number) => (n < 13 ? [n, []] : n < 269 ? [13, [n - 13]] : [14, [(n - 269) >> 8, (n - 269) & 0xff]]);
    const [d, dx] = ext(delta) as [number, number[]];
    const [l, lx] = ext(value.length) as [number, number[]];
    return Buffer.concat([Buffer.from([(d << 4) | l, ...dx, ...lx]), value]);
  };
  return Buffer.concat([
    Buffer.from([0x41, 0x02, messageId >> 8, messageId & 0xff, 0x7e]),
    option(11, Buffer.from('rd')), // Uri-Path
    option(4, Buffer.from(`ep=${ep}`)), // Uri-Query (15)
  ]);
}

/** Sends one datagram to the CoAP port with socat and returns the first datagram it gets back. */
function socatUdp(datagram: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-b', '65536', '-t', '3', '-', `UDP4:127.0.0.1:${coapPort()}`]);
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      child.kill();
    });
    child.on('error', reject);
    child.on('close', () => (out.length ? resolve(Buffer.concat(out)) : reject(new Error('no reply within 3 s'))));
    child.stdin.end(datagram);
  });
}

async function device(nodeId: string) {
  return (await call(apiRoutes.registerDevice, { body: { productId: product, nodeId } })).device;
}

async function client(
  endpoint: string,
  resources: ConstructorParameters<typeof Lwm2mTestClient>[0]['resources'] = {},
  blockSize?: number,
) {
  const c = new Lwm2mTestClient({ port: coapPort(), endpoint, resources, ...(blockSize ? { blockSize } : {}) });
  await c.open();
  clients.push(c);
  return c;
}

const registration = (deviceId: string) => call(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } });

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  core.platform.bus.subscribe('lwm2m', (e) => registrationEvents.push(e));
  core.platform.bus.subscribe('frame', (e) => e.protocol === 'coap' && frames.push(e));
  product = (await createWaterMeterProduct(call)).id;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await core?.stop();
});

describe('registration interface with libcoap coap-client', () => {
  it('registers a device by its IMEI with a link-format body, updates and deregisters it', async () => {
    const d = await device('868000000000001');
    const { stdout } = await coapClient([
      '-m',
      'post',
      '-t',
      '40',
      '-e',
      '</1/0>,</3/0>,</5/0>',
      '-v',
      '7',
      coapUri('/rd?ep=868000000000001&lt=300&lwm2m=1.1&b=U'),
    ]);
    // libcoap prints the response PDU at verbosity 7: 2.01 with the Location-Path the server chose.
    expect(stdout + '').toMatch(/2\.01/);
    const reg = (await registration(d.deviceId)).registration!;
    expect(reg).toMatchObject({
      endpoint: '868000000000001',
      lifetime: 300,
      lwm2mVersion: '1.1',
      binding: 'U',
      objects: [
        { objectId: 1, instanceId: 0 },
        { objectId: 3, instanceId: 0 },
        { objectId: 5, instanceId: 0 },
      ],
    });
    expect(reg.location).toMatch(/^\/rd\/[0-9a-f]{8}$/);
    expect(registrationEvents.at(-1)).toMatchObject({ kind: 'registered', deviceId: d.deviceId });
    const listed = await call(apiRoutes.getDevice, { params: { id: d.deviceId } });
    expect(listed.status).toBe('online');

    clock.advance(60_000);
    await coapClient(['-m', 'post', coapUri(`${reg.location}?lt=600`)]);
    const updated = (await registration(d.deviceId)).registration!;
    expect(updated.lifetime).toBe(600);
    expect(Date.parse(updated.updatedAt)).toBe(clock.now());
    expect(registrationEvents.at(-1)).toMatchObject({ kind: 'updated', deviceId: d.deviceId });

    await coapClient(['-m', 'delete', coapUri(reg.location)]);
    expect((await registration(d.deviceId)).registration).toBeUndefined();
    expect(registrationEvents.at(-1)).toMatchObject({ kind: 'deregistered', deviceId: d.deviceId });
  });

  it('accepts the urn:imei: form of the endpoint for a device registered by its bare IMEI', async () => {
    const d = await device('868000000000002');
    await coapClient(['-m', 'post', '-t', '40', '-e', '</3/0>', coapUri('/rd?ep=urn:imei:868000000000002&lt=300')]);
    expect((await registration(d.deviceId)).registration?.endpoint).toBe('urn:imei:868000000000002');
  });

  it('refuses an unknown endpoint with 4.03 and lists the refusal', async () => {
    const { stdout, stderr } = await coapClient([
      '-m',
      'post',
      '-t',
      '40',
      '-e',
      '</3/0>',
      '-v',
      '7',
      coapUri('/rd?ep=nobody-here&lt=300'),
    ]).catch((e: { stdout: string; stderr: string }) => e);
    expect(stdout + stderr).toMatch(/4\.03/);
    const { items } = await call(apiRoutes.listLwm2mRefusals, {});
    expect(items[0]).toMatchObject({ endpoint: 'nobody-here' });
    expect(items[0]!.reason).toContain('no device');
    expect(registrationEvents.at(-1)).toMatchObject({ kind: 'refused', endpoint: 'nobody-here' });
  });

  it('refuses endpoint names of 1000 (libcoap) and 2000 (socat) characters with a 4.03 that fits a datagram', async () => {
    // libcoap's client sends at most ~1080 bytes of options (it hangs beyond its 1152-byte PDU).
    const ep1000 = `urn:imei:${'9'.repeat(991)}`;
    const viaLibcoap = await coapClient([
      ...['-m', 'post', '-t', '40', '-e', '</3/0>', '-v', '7'],
      ...['-O', `15,ep=${ep1000}`],
      coapUri('/rd?lt=300'),
    ]).catch((e: { stdout: string; stderr: string }) => e);
    expect(viaLibcoap.stdout + viaLibcoap.stderr).toMatch(/4\.03/);
    const { items } = await call(apiRoutes.listLwm2mRefusals, {});
    expect(items[0]!.reason).toMatch(/^no device is registered with nodeId urn:imei:9{55}…$/);

    // 2000 characters need a datagram bigger than any CoAP library here builds: written by hand, sent by socat.
    const ep2000 = `urn:imei:${'9'.repeat(1991)}`;
    const reply = await socatUdp(registrationDatagram(ep2000, 0x4242));
    const answer = coapPacket.parse(reply);
    expect(answer).toMatchObject({ code: '4.03', messageId: 0x4242, ack: true });
    expect(answer.payload.toString()).toMatch(/^no device is registered with nodeId urn:imei:9{55}…$/);
  });

  it('takes a registration body sent in Block1 blocks of 32 bytes', async () => {
    const d = await device('868000000000006');
    const links = '</1/0>,</3/0>,</4/0>,</5/0>,</19/0>,</19/1>,</20/0>';
    await coapClient(['-m', 'post', '-b', '32', '-t', '40', '-e', links, coapUri('/rd?ep=868000000000006&lt=300')]);
    const reg = (await registration(d.deviceId)).registration;
    expect(reg?.objectLinks).toBe(links);
    expect(reg?.objects).toHaveLength(7);
  });

  it('answers an update of an unknown registration with 4.04', async () => {
    const { stdout, stderr } = await coapClient(['-m', 'post', '-v', '7', coapUri('/rd/deadbeef')]).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(stdout + stderr).toMatch(/4\.04/);
  });
});

describe('malformed datagrams', () => {
  it('survives garbage, resets an unparsable confirmable message and still registers devices', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, r));
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([0xff]),
      Buffer.from('hello world'),
      Buffer.from([0x40, 0x01, 0x12, 0x34, 0xff]), // CON GET, payload marker with no payload
      Buffer.from([0x4f, 0x01, 0x12, 0x35]), // CON with token length 15 (reserved)
      Buffer.from([0x40, 0x02, 0x12, 0x36, 0xdd, 0xff, 0xff, 0xff]), // option delta/length out of bounds
    ];
    for (const g of garbage) socket.send(g, coapPort(), '127.0.0.1');
    await eventually(() => (replies.some((r) => r.readUInt16BE(2) === 0x1235) ? true : undefined));
    const reset = coapPacket.parse(replies.find((r) => r.readUInt16BE(2) === 0x1235)!);
    expect(reset.reset).toBe(true);
    socket.close();
    const d = await device('868000000000003');
    const c = await client('868000000000003', { '/3/0/0': 'Acme' });
    expect((await c.register()).code).toBe('2.01');
    expect((await registration(d.deviceId)).registration).toBeDefined();
  });

  it('answers a duplicate confirmable registration with the same response instead of registering twice', async () => {
    const d = await device('868000000000004');
    const c = await client('868000000000004', { '/3/0/0': 'Acme' });
    const packet = {
      messageId: 4242,
      token: Buffer.from('abcd', 'hex'),
      confirmable: true,
      code: 'POST',
      options: [
        { name: 'Uri-Path' as const, value: Buffer.from('rd') },
        { name: 'Uri-Query' as const, value: Buffer.from('ep=868000000000004') },
      ],
      payload: Buffer.from('</3/0>'),
    };
    const before = registrationEvents.length;
    c.send(packet);
    c.send(packet);
    await eventually(() => (registrationEvents.length > before ? true : undefined));
    await new Promise((r) => setTimeout(r, 150));
    expect(registrationEvents.slice(before).filter((e) => e.deviceId === d.deviceId)).toHaveLength(1);
  });
});

describe('lifetime and status on the clock', () => {
  it('expires a registration after its lifetime, then goes offline after 25 h and abnormal after 169 h of silence', async () => {
    const d = await device('868000000000005');
    const c = await client('868000000000005', { '/3/0/0': 'Acme' });
    await c.register(120);
    clock.advance(119_000);
    expect((await registration(d.deviceId)).registration).toBeDefined();
    clock.advance(2_000);
    expect((await registration(d.deviceId)).registration).toBeUndefined();
    expect(registrationEvents.at(-1)).toMatchObject({ kind: 'expired', deviceId: d.deviceId });
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('online');
    clock.advance(25 * 3600_000);
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('offline');
    clock.advance(144 * 3600_000);
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('abnormal');
    await c.register(120);
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('online');
  });
});

describe('deregistration', () => {
  it('puts a device that deregisters with libcoap offline at once and records it in its status history', async () => {
    const d = await device('868000000000008');
    await coapClient(['-m', 'post', '-t', '40', '-e', '</3/0>', coapUri('/rd?ep=868000000000008&lt=300')]);
    const { location } = (await registration(d.deviceId)).registration!;
    const registeredAt = clock.now();
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('online');
    clock.advance(60_000);
    const { stdout, stderr } = await coapClient(['-m', 'delete', '-v', '7', coapUri(location)]);
    expect(stdout + stderr).toMatch(/2\.02/);
    expect((await call(apiRoutes.getDevice, { params: { id: d.deviceId } })).status).toBe('offline');
    const { items } = await call(apiRoutes.deviceStatusHistory, { params: { id: d.deviceId }, query: {} });
    expect(items.map((i) => [i.status, Date.parse(i.at)])).toEqual([
      ['offline', registeredAt + 60_000],
      ['online', registeredAt],
    ]);
  });
});

describe('object 19 data channel', () => {
  it('observes /19/0/0 after registration and stores each notified frame through the water meter codec', async () => {
    const d = await device('868000000000010');
    const c = await client('868000000000010', {
      '/19/0/0': { type: 'opaque', value: '' },
      '/19/1/0': { type: 'opaque', value: '' },
    });
    await c.register(300, '</1/0>,</3/0>,</19/0>,</19/1>');
    await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
    c.notify('/19/0/0', Buffer.from('0100BC614E00000E1000D7007D', 'hex'));
    const latest = await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: d.deviceId } });
      return r.services.length ? r : undefined;
    });
    expect(latest.services[0]).toMatchObject({
      serviceId: 'WaterMeterBasic',
      data: { currentReading: 12345.678, temperature: 21.5, flow: 1.25 },
    });
    c.notify('/19/0/0', Buffer.from('025514', 'hex'), true);
    await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: d.deviceId } });
      return r.services.some((s) => s.serviceId === 'Battery') ? true : undefined;
    });
    const { observations } = await registration(d.deviceId);
    expect(observations).toEqual([
      expect.objectContaining({ path: '/19/0/0', notifications: 2, lastPayloadHex: '025514' }),
    ]);
    expect(frames.some((f) => f.deviceId === d.deviceId && f.direction === 'in')).toBe(true);
  });

  it('keeps storing frames of a meter whose NAT moved it to another port: the update carries its observation along', async () => {
    const d = await device('868000000000014');
    const resources = { '/19/0/0': { type: 'opaque' as const, value: '' } };
    const before = await client('868000000000014', resources);
    await before.register(300, '</19/0>');
    await eventually(() => (before.observed.has('/19/0/0') ? true : undefined));
    // The same meter after a NAT rebinding: a new source port, the same registration and observation token.
    const after = await client('868000000000014', resources);
    after.location = before.location;
    after.observed.set('/19/0/0', before.observed.get('/19/0/0')!);
    expect((await after.update()).code).toBe('2.04');
    expect((await registration(d.deviceId)).registration?.address).toBe(`127.0.0.1:${after.port}`);
    after.notify('/19/0/0', Buffer.from('0100BC614E00000E1000D7007D', 'hex'));
    const latest = await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: d.deviceId } });
      return r.services.length ? r : undefined;
    });
    expect(latest.services[0]).toMatchObject({ serviceId: 'WaterMeterBasic', data: { currentReading: 12345.678 } });
    expect(after.observed.has('/19/0/0')).toBe(true);
  });

  it('shows every CoAP message of the device in the traffic inspector with its LwM2M meaning', async () => {
    const d = await device('868000000000013');
    const c = await client('868000000000013', { '/19/0/0': { type: 'opaque', value: '' } });
    await c.register(300, '</19/0>');
    await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
    c.notify('/19/0/0', Buffer.from('025514', 'hex'));
    const summaries = await eventually(async () => {
      const { frames: listed } = await call(apiRoutes.listTrafficFrames, {
        query: { filter: `device == "${d.deviceId}"`, limit: 50 },
      });
      const s = listed.map((f) => f.summary);
      return s.some((x) => x.includes('notify')) ? s : undefined;
    });
    expect(summaries.join('\n')).toMatch(/LwM2M observe \/19\/0\/0/);
    expect(summaries.join('\n')).toMatch(/LwM2M notify \/19\/0\/0/);
    const all = await call(apiRoutes.listTrafficFrames, { query: { filter: 'lwm2m.op == "register"', limit: 2000 } });
    expect(all.frames.map((f) => f.summary).join('\n')).toContain('ep=868000000000013');
  });

  it('records an undecodable frame as an uplink error with its raw bytes', async () => {
    const d = await device('868000000000011');
    const c = await client('868000000000011', { '/19/0/0': { type: 'opaque', value: '' } });
    await c.register(300, '</19/0>');
    await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
    c.notify('/19/0/0', Buffer.from('7f00', 'hex'));
    const errors = await eventually(async () => {
      const r = await call(apiRoutes.deviceUplinkErrors, { params: { id: d.deviceId } });
      return r.items.length ? r.items : undefined;
    });
    expect(errors[0]).toMatchObject({ topic: '/19/0/0', rawBase64: Buffer.from('7f00', 'hex').toString('base64') });
  });

  it('records an object 19 report with a value out of the model range as BAD_VALUE and does not store it', async () => {
    const d = await device('868000000000015');
    const c = await client('868000000000015', { '/19/0/0': { type: 'opaque', value: '' } });
    await c.register(300, '</19/0>');
    await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
    // Battery report: batteryLevel 200 % and batteryThreshold 200 %, both beyond the model's 0..100.
    c.notify('/19/0/0', Buffer.from('02C8C8', 'hex'));
    const errors = await eventually(async () => {
      const r = await call(apiRoutes.deviceUplinkErrors, { params: { id: d.deviceId } });
      return r.items.length ? r.items : undefined;
    });
    expect(errors[0]).toMatchObject({
      topic: '/19/0/0',
      code: 'BAD_VALUE',
      rawBase64: Buffer.from('02C8C8', 'hex').toString('base64'),
    });
    expect(errors[0]!.message).toContain('batteryLevel');
    // A good report after it is stored: the bad one before it was not.
    c.notify('/19/0/0', Buffer.from('025514', 'hex'));
    const latest = await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: d.deviceId } });
      return r.services.length ? r : undefined;
    });
    expect(latest.services).toEqual([
      expect.objectContaining({ serviceId: 'Battery', data: { batteryLevel: 85, batteryThreshold: 20 } }),
    ]);
    const history = await call(apiRoutes.deviceDataHistory, { params: { id: d.deviceId }, query: {} });
    expect(history.items.map((i) => `${i.property}=${String(i.value)}`).sort()).toEqual([
      'batteryLevel=85',
      'batteryThreshold=20',
    ]);
  });

  it('writes downlink bytes to /19/1/0 as opaque', async () => {
    const d = await device('868000000000012');
    const c = await client('868000000000012', {
      '/19/0/0': { type: 'opaque', value: '' },
      '/19/1/0': { type: 'opaque', value: '' },
    });
    await c.register(300, '</19/0>,</19/1>');
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'write', path: '/19/1/0', payloadHex: 'a1b2c3' },
    });
    expect(r).toMatchObject({ ok: true, code: '2.04' });
    expect(c.writes.at(-1)).toMatchObject({ path: '/19/1/0', method: 'PUT', contentFormat: 42 });
    expect(c.writes.at(-1)!.payload.toString('hex')).toBe('a1b2c3');
  });
});

describe('device management', () => {
  const deviceObject = {
    '/3/0/0': 'Acme Meters',
    '/3/0/1': 'WM-100',
    '/3/0/2': 'SN-42',
    '/3/0/3': '1.0.7',
    '/3/0/4': { type: 'none' as const, value: '' },
    '/3/0/7/0': 3800,
    '/3/0/7/1': 5000,
    '/3/0/9': 87,
    '/3/0/13': 1764158400,
  };
  let deviceId: string;
  let c: Lwm2mTestClient;

  beforeAll(async () => {
    deviceId = (await device('868000000000020')).deviceId;
    c = await client(
      '868000000000020',
      { ...deviceObject, '/20/0/4014': { type: 'opaque', value: 'ab'.repeat(3000) } },
      256,
    );
    await c.register(300, '</3/0>,</20/0>');
  });

  it('reads /3/0 in TLV with names and units from the object definitions', async () => {
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'read', path: '/3/0', accept: 'tlv' },
    });
    expect(r).toMatchObject({ ok: true, code: '2.05', contentFormatName: 'tlv' });
    expect(r.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/3/0/0', value: 'Acme Meters', name: 'Manufacturer', type: 'string' }),
        expect.objectContaining({ path: '/3/0/7/1', value: 5000, units: 'mV' }),
        expect.objectContaining({ path: '/3/0/9', value: 87, name: 'Battery Level', units: '%' }),
      ]),
    );
  });

  it('reads /3/0 in SenML JSON and SenML CBOR with the same values', async () => {
    for (const accept of ['senml-json', 'senml-cbor'] as const) {
      const r = await call(apiRoutes.runLwm2mOperation, {
        params: { id: deviceId },
        body: { op: 'read', path: '/3/0', accept },
      });
      expect(r.contentFormatName).toBe(accept);
      expect(r.values).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: '/3/0/1', value: 'WM-100' }),
          expect.objectContaining({ path: '/3/0/9', value: 87 }),
        ]),
      );
    }
  });

  it('reads a single resource as text and discovers the instance', async () => {
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'read', path: '/3/0/9' },
    });
    expect(r).toMatchObject({ contentFormatName: 'text', values: [{ path: '/3/0/9', value: 87 }] });
    const d = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'discover', path: '/3/0' },
    });
    expect(d.links?.map((l) => l.path)).toContain('/3/0/9');
  });

  it('reads a 6000-byte log in Block2 blocks of 256 bytes', async () => {
    const before = c.requests.length;
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'read', path: '/20/0/4014' },
    });
    expect(r.payloadHex).toBe('ab'.repeat(3000));
    expect(c.requests.length - before).toBe(Math.ceil(3000 / 256));
  });

  it('writes 5000 bytes in Block1 blocks and partial-updates an instance in TLV', async () => {
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'write', path: '/19/1/0', payloadHex: 'cd'.repeat(5000) },
    });
    expect(r.ok).toBe(true);
    expect(c.writes.at(-1)!.payload.length).toBe(5000);
    const w = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'write', path: '/3/0', mode: 'partial', values: [{ path: '/3/0/14', value: '+08:00' }] },
    });
    expect(w.ok).toBe(true);
    expect(c.writes.at(-1)).toMatchObject({ path: '/3/0', method: 'POST', contentFormat: 11542 });
  });

  it('writes a number without a type to a resource of an unknown object as that number, not as opaque hex', async () => {
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'write', path: '/30000/0/1', values: [{ path: '/30000/0/1', value: 42 }] },
    });
    expect(r.ok).toBe(true);
    expect(c.writes.at(-1)).toMatchObject({ path: '/30000/0/1', contentFormat: 0 });
    expect(c.writes.at(-1)!.payload.toString()).toBe('42');
  });

  it('executes reboot on /3/0/4', async () => {
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'execute', path: '/3/0/4' },
    });
    expect(r).toMatchObject({ ok: true, code: '2.04' });
    expect(c.executes.at(-1)).toMatchObject({ path: '/3/0/4' });
  });

  it('observes the battery level, publishes its notifications and stops after a cancel', async () => {
    const values: BusEventMap['lwm2mValue'][] = [];
    const off = core.platform.bus.subscribe('lwm2mValue', (e) => e.deviceId === deviceId && values.push(e));
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'observe', path: '/3/0/9' },
    });
    expect(r).toMatchObject({ ok: true, values: [{ path: '/3/0/9', value: 87 }] });
    c.set('/3/0/9', 86);
    c.notify('/3/0/9');
    await eventually(() => (values.length ? true : undefined));
    expect(values[0]).toMatchObject({ path: '/3/0/9', values: [{ value: 86 }] });
    expect((await registration(deviceId)).observations.map((o) => o.path)).toContain('/3/0/9');
    await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'cancel-observe', path: '/3/0/9' },
    });
    expect(c.cancelled).toContain('/3/0/9');
    expect((await registration(deviceId)).observations.map((o) => o.path)).not.toContain('/3/0/9');
    off();
  });

  it('observes a log bigger than a datagram: the answer and each notification are fetched block by block', async () => {
    const values: BusEventMap['lwm2mValue'][] = [];
    const off = core.platform.bus.subscribe('lwm2mValue', (e) => e.deviceId === deviceId && values.push(e));
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'observe', path: '/20/0/4014' },
    });
    expect(r.payloadHex).toBe('ab'.repeat(3000));
    c.set('/20/0/4014', { type: 'opaque', value: 'cd'.repeat(2000) });
    c.notify('/20/0/4014');
    await eventually(() => (values.length ? true : undefined));
    expect(values[0]!.payloadHex).toBe('cd'.repeat(2000));
    off();
  });

  it('answers 409 for a device that is not registered', async () => {
    const d = await device('868000000000021');
    const e = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0' },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiCallError);
    expect((e as ApiCallError).status).toBe(409);
  });

  it('lists the object definitions for the object tree', async () => {
    const { items } = await call(apiRoutes.listLwm2mObjects, {});
    expect(items.map((o) => o.id)).toEqual(expect.arrayContaining([0, 1, 3, 4, 5, 19, 20]));
    expect(items.find((o) => o.id === 3)?.resources.find((r) => r.id === 4)).toMatchObject({
      name: 'Reboot',
      operations: 'E',
    });
  });
});

describe('content formats a client announced', () => {
  const senmlOnly = async (endpoint: string) => {
    const c = new Lwm2mTestClient({
      port: coapPort(),
      endpoint,
      only: 'senml-json',
      resources: { '/3/0/0': 'Acme Meters', '/3/0/9': 87, '/19/0/0': { type: 'opaque', value: '' } },
    });
    await c.open();
    clients.push(c);
    return c;
  };

  it('reads and observes an LwM2M 1.1 client without TLV in the SenML JSON it announced (ct=110)', async () => {
    const d = await device('868000000000030');
    const c = await senmlOnly('868000000000030');
    await c.register(300, '</>;rt="oma.lwm2m";ct=110,</3/0>,</19/0>', '1.1');
    // The automatic observe of /19/0/0 asks for SenML JSON, and the meter's frames reach the codec.
    await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
    c.notify('/19/0/0', Buffer.from('025514', 'hex'));
    await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: d.deviceId } });
      return r.services.some((s) => s.serviceId === 'Battery') ? true : undefined;
    });
    const instance = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0' },
    });
    expect(instance).toMatchObject({ ok: true, code: '2.05', contentFormatName: 'senml-json' });
    expect(instance.values).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/3/0/0', value: 'Acme Meters' })]),
    );
    const single = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0/9' },
    });
    expect(single).toMatchObject({
      ok: true,
      contentFormatName: 'senml-json',
      values: [{ path: '/3/0/9', value: 87 }],
    });
    expect(new Set(c.accepts)).toEqual(new Set([110]));
    // Several resources are written in the format it announced too.
    const w = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: {
        op: 'write',
        path: '/3/0',
        mode: 'partial',
        values: [
          { path: '/3/0/14', value: '+08:00' },
          { path: '/3/0/15', value: 'Asia/Shanghai' },
        ],
      },
    });
    expect(w.ok).toBe(true);
    expect(c.writes.at(-1)).toMatchObject({ path: '/3/0', method: 'POST', contentFormat: 110 });
  });

  it('falls back to the next format when a client that announced nothing answers 4.06 Not Acceptable', async () => {
    const d = await device('868000000000031');
    const c = await senmlOnly('868000000000031');
    await c.register(300, '</3/0>', '1.1');
    const r = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0' },
    });
    expect(r).toMatchObject({ ok: true, contentFormatName: 'senml-json' });
    expect(c.accepts.at(-1)).toBe(110);
    expect(c.accepts.slice(0, -1)).not.toContain(undefined);
  });

  it('asks an LwM2M 1.0 client for TLV and a single resource in text', async () => {
    const d = await device('868000000000032');
    const c = await client('868000000000032', { '/3/0/0': 'Acme Meters', '/3/0/9': 87 });
    await c.register(300, '</3/0>', '1.0');
    const instance = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0' },
    });
    const single = await call(apiRoutes.runLwm2mOperation, {
      params: { id: d.deviceId },
      body: { op: 'read', path: '/3/0/9' },
    });
    expect([instance.contentFormatName, single.contentFormatName]).toEqual(['tlv', 'text']);
    expect(c.accepts).toEqual([11542, 0]);
  });
});

describe('IPv6', () => {
  it('registers a device over IPv6 and IPv4 when the device ports bind to ::', async () => {
    const v6 = await startCore({ dataDir: tempDir(), deviceBindAddress: '::' });
    const v6call = contractCaller(() => v6);
    try {
      const p = (
        await v6call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
      ).id;
      const a = (await v6call(apiRoutes.registerDevice, { body: { productId: p, nodeId: '868000000000601' } })).device;
      const b = (await v6call(apiRoutes.registerDevice, { body: { productId: p, nodeId: '868000000000602' } })).device;
      const port = v6.runtime.ports.coap!;
      await coapClient(['-m', 'post', '-t', '40', '-e', '</3/0>', `coap://[::1]:${port}/rd?ep=868000000000601&lt=300`]);
      await coapClient([
        '-m',
        'post',
        '-t',
        '40',
        '-e',
        '</3/0>',
        `coap://127.0.0.1:${port}/rd?ep=868000000000602&lt=300`,
      ]);
      const ra = await v6call(apiRoutes.getLwm2mRegistration, { params: { id: a.deviceId } });
      const rb = await v6call(apiRoutes.getLwm2mRegistration, { params: { id: b.deviceId } });
      expect(ra.registration?.address).toMatch(/^\[::1\]:\d+$/);
      expect(rb.registration?.address).toMatch(/^\[::ffff:127\.0\.0\.1\]:\d+$/);
    } finally {
      await v6.stop();
    }
  });
});
