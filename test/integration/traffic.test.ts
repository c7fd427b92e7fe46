// The traffic inspector in a real core: frames on the bus (made by mqtt-packet / coap-packet, and by real
// mosquitto_pub and coap-client-notls through test relays) are listed, filtered, decoded and exported.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import coapPacket from 'coap-packet';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrafficFrameDetail, TrafficFrameSummary, TrafficStats } from '../../core/contract/traffic.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';
import { sampleSession, type FrameEvent } from '../support/traffic-frames.js';

const run = promisify(execFile);
const tempDir = useTempDirs('iotwb-traffic-');
let core: RunningCore;
let dataDir: string;

async function json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await core.api(path, init);
  return { status: r.status, body: (await r.json()) as T };
}

type ListBody = { frames: TrafficFrameSummary[]; olderCursor?: number; newerCursor?: number; stats: TrafficStats };
const list = (filter = '', limit = 500) =>
  json<ListBody>(`/api/traffic/frames?limit=${limit}&filter=${encodeURIComponent(filter)}`);

/** tshark's view of a pcapng: one line per packet with the fields asked for. */
async function tshark(file: string, fields: string[], ports: { tcp: number; udp: number }, filter?: string) {
  const args = ['-r', file, '-d', `tcp.port==${ports.tcp},mqtt`, '-d', `udp.port==${ports.udp},coap`, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  if (filter) args.push('-Y', filter);
  const { stdout } = await run('tshark', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim() === ''
    ? []
    : stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
}

beforeAll(async () => {
  dataDir = tempDir();
  core = await startCore({ dataDir });
});
afterAll(async () => {
  await core?.stop();
});

describe('traffic capture through the API', () => {
  it('lists bus frames decoded, filters them, and explains filter errors with a position', async () => {
    for (const e of sampleSession((h) => Buffer.from(h, 'hex'))) core.platform.bus.publish('frame', e);
    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.frames).toHaveLength(14);
    expect(all.body.stats).toMatchObject({ capacity: 100_000, stored: 14, captured: 14, dropped: 0 });

    const byTopic = await list('mqtt.topic contains "data"');
    expect(byTopic.body.frames.map((f) => f.summary)).toEqual([
      'PUBLISH /huawei/v1/devices/dev-1/data/json QoS 1 id 2, 20 bytes',
    ]);
    expect((await list('coap.code == 2.05')).body.frames).toHaveLength(2);
    expect((await list('pcp.code == 21')).body.frames).toHaveLength(1);
    expect((await list('lwm2m.op == register')).body.frames[0]!.summary).toContain('ep=imei-8640');

    const bad = await json<{ code: string; message: string; details: { position: number } }>(
      `/api/traffic/frames?filter=${encodeURIComponent('mqtt.topic ~ x')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'FILTER_INVALID', details: { position: 11 } });
    const check = await json<{ valid: boolean; error?: { position: number } }>(
      `/api/traffic/filter-check?expression=${encodeURIComponent('len >')}`,
    );
    expect(check.body).toMatchObject({ valid: false, error: { position: 5 } });
  });

  it('gives one frame with its bytes and layers, and 404 for one not in the buffer', async () => {
    const [pub] = (await list('mqtt.type == publish')).body.frames;
    const detail = await json<TrafficFrameDetail>(`/api/traffic/frames/${pub!.seq}`);
    expect(detail.body.layers.map((l) => l.id)).toEqual(['frame', 'mqtt']);
    expect(Buffer.from(detail.body.bytesBase64, 'base64')[0]).toBe(0x32);
    const missing = await core.api('/api/traffic/frames/999999');
    expect(missing.status).toBe(404);
  });

  it('saves, lists and deletes filters, refusing an invalid one', async () => {
    const post = (body: unknown) =>
      core.api('/api/traffic/saved-filters', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post({ name: 'PCP', expression: 'pcp' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await post({ name: 'bad', expression: 'pcp ==' })).status).toBe(400);
    const listed = await json<{ filters: { name: string }[] }>('/api/traffic/saved-filters');
    expect(listed.body.filters.map((f) => f.name)).toEqual(['PCP']);
    expect(
      (await json<{ deleted: boolean }>(`/api/traffic/saved-filters/${id}`, { method: 'DELETE' })).body.deleted,
    ).toBe(true);
  });

  it('exports pcapng that tshark dissects as MQTT and CoAP with the same topics and codes', async () => {
    const exp = await json<{ fileName: string; frames: number; contentBase64: string }>(
      '/api/traffic/export?format=pcapng',
    );
    expect(exp.body.frames).toBe(14);
    const file = join(dataDir, exp.body.fileName);
    writeFileSync(file, Buffer.from(exp.body.contentBase64, 'base64'));
    const ports = { tcp: 1883, udp: 5683 };
    const mqtt = await tshark(file, ['mqtt.msgtype', 'mqtt.topic', 'tcp.srcport'], ports, 'mqtt');
    expect(mqtt).toHaveLength(6);
    expect(mqtt.map((r) => r[0])).toEqual(['1', '2', '8', '9', '3', '4']);
    expect(mqtt[4]![1]).toBe('/huawei/v1/devices/dev-1/data/json');
    expect(mqtt[4]![2]).toBe('50001');
    const coap = await tshark(file, ['coap.code', 'coap.mid'], ports, 'coap');
    expect(coap.map((r) => r.join(' '))).toEqual(['2 100', '65 100', '1 7', '69 7', '69 8', '3 9', '2 10', '2 11']);
    // Consistent sequence numbers: no analysis complaints about the TCP stream.
    const problems = await tshark(
      file,
      ['frame.number'],
      ports,
      'tcp.analysis.lost_segment || tcp.analysis.out_of_order',
    );
    expect(problems).toEqual([]);
    const comments = await tshark(file, ['frame.comment'], ports, 'mqtt');
    expect(comments[0]![0]).toContain('device dev-1');
  });

  it('exports only the filtered frames, and JSON too', async () => {
    const exp = await json<{ frames: number; contentBase64: string }>(
      `/api/traffic/export?format=pcapng&filter=${encodeURIComponent('coap')}`,
    );
    expect(exp.body.frames).toBe(8);
    const file = join(dataDir, 'coap-only.pcapng');
    writeFileSync(file, Buffer.from(exp.body.contentBase64, 'base64'));
    expect(await tshark(file, ['frame.number'], { tcp: 1883, udp: 5683 })).toHaveLength(8);
    const j = await json<{ contentBase64: string; mediaType: string }>('/api/traffic/export?format=json&filter=pcp');
    const parsed = JSON.parse(Buffer.from(j.body.contentBase64, 'base64').toString()) as {
      frames: TrafficFrameDetail[];
    };
    expect(parsed.frames.map((f) => f.protocol)).toEqual(['PCP', 'PCP']);
  });

  it('captures continuously to a pcapng file in the data folder when asked', async () => {
    const put = (body: unknown) =>
      json<TrafficStats>('/api/traffic/settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const on = await put({ captureToFile: true, capacity: 1000 });
    expect(on.body.captureFile.enabled).toBe(true);
    expect(on.body.captureFile.path).toContain(join(dataDir, 'traffic'));
    for (const e of sampleSession((h) => Buffer.from(h, 'hex')).slice(0, 6)) core.platform.bus.publish('frame', e);
    await new Promise((r) => setTimeout(r, 150));
    const off = await put({ captureToFile: false });
    expect(off.body).toMatchObject({ capacity: 1000, captureFile: { enabled: false } });
    const rows = await tshark(on.body.captureFile.path!, ['mqtt.msgtype'], { tcp: 1883, udp: 5683 }, 'mqtt');
    expect(rows).toHaveLength(6);
    const cleared = await json<TrafficStats>('/api/traffic/frames', { method: 'DELETE' });
    expect(cleared.body.stored).toBe(0);
  });
});

/** Splits a TCP byte stream into whole MQTT control packets (what the broker adapter will do). */
function mqttSplitter(onPacket: (bytes: Buffer) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      let length = 0;
      let i = 1;
      for (; i < 5 && i < buffer.length; i++) {
        length += (buffer[i]! & 0x7f) * 128 ** (i - 1);
        if (!(buffer[i]! & 0x80)) break;
      }
      if (i >= buffer.length || 1 + i + length > buffer.length) return;
      onPacket(buffer.subarray(0, 1 + i + length));
      buffer = buffer.subarray(1 + i + length);
    }
  };
}

describe('traffic from real clients', () => {
  it('captures mosquitto_pub through a minimal MQTT relay, decoded', async () => {
    await core.api('/api/traffic/frames', { method: 'DELETE' });
    const publish = (e: Omit<FrameEvent, 'at' | 'timeUs'>) =>
      core.platform.bus.publish('frame', { ...e, at: Date.now(), timeUs: Date.now() * 1000 });
    const server = createServer((socket: Socket) => {
      const local = `${socket.localAddress}:${socket.localPort}`;
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      const connectionId = `relay-${socket.remotePort}`;
      const reply = (p: mqttPacket.Packet) => {
        const bytes = mqttPacket.generate(p);
        publish({
          direction: 'out',
          transport: 'tcp',
          protocol: 'mqtt',
          local,
          peer,
          connectionId,
          bytesBase64: bytes.toString('base64'),
        });
        socket.write(bytes);
      };
      socket.on(
        'data',
        mqttSplitter((bytes) => {
          publish({
            direction: 'in',
            transport: 'tcp',
            protocol: 'mqtt',
            local,
            peer,
            connectionId,
            bytesBase64: bytes.toString('base64'),
          });
          const type = bytes[0]! >> 4;
          if (type === 1) reply({ cmd: 'connack', returnCode: 0, sessionPresent: false });
          if (type === 3 && bytes[0]! & 0x06) {
            const topicLength = bytes.readUInt16BE(2);
            reply({ cmd: 'puback', messageId: bytes.readUInt16BE(4 + topicLength) });
          }
          if (type === 14) socket.end();
        }),
      );
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await run('mosquitto_pub', [
        '-V',
        'mqttv311',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-i',
        'board-7',
        '-q',
        '1',
        '-t',
        'sensors/board-7/temp',
        '-m',
        '{"t":22}',
      ]);
      await expect.poll(async () => (await list()).body.frames.length).toBe(5);
      const frames = (await list()).body.frames;
      expect(frames.map((f) => f.summary)).toEqual([
        'CONNECT client board-7',
        'CONNACK 0 (connection accepted)',
        'PUBLISH sensors/board-7/temp QoS 1 id 1, 8 bytes',
        'PUBACK id 1',
        'DISCONNECT',
      ]);
      const fixture = join(import.meta.dirname, '../fixtures/traffic/mosquitto_pub-qos1.json');
      const details = await Promise.all(
        frames.map(async (f) => (await json<TrafficFrameDetail>(`/api/traffic/frames/${f.seq}`)).body),
      );
      const recorded = JSON.parse(readFileSync(fixture, 'utf8')) as { frames: { direction: string; hex: string }[] };
      // Byte for byte what mosquitto_pub sent when the fixture was recorded.
      expect(details.map((d) => Buffer.from(d.bytesBase64, 'base64').toString('hex'))).toEqual(
        recorded.frames.map((f) => f.hex),
      );
    } finally {
      server.close();
    }
  });

  it('captures a coap-client-notls GET received on a UDP socket, decoded', async () => {
    await core.api('/api/traffic/frames', { method: 'DELETE' });
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const port = socket.address().port;
    const local = `127.0.0.1:${port}`;
    socket.on('message', (msg, rinfo) => {
      const peer = `${rinfo.address}:${rinfo.port}`;
      core.platform.bus.publish('frame', {
        at: Date.now(),
        direction: 'in',
        transport: 'udp',
        protocol: 'coap',
        local,
        peer,
        bytesBase64: msg.toString('base64'),
      });
      const request = coapPacket.parse(msg);
      const answer = coapPacket.generate({
        code: '2.05',
        ack: true,
        messageId: request.messageId,
        token: request.token,
        options: [{ name: 'Content-Format', value: Buffer.from([0]) }],
        payload: Buffer.from('Acme'),
      });
      core.platform.bus.publish('frame', {
        at: Date.now(),
        direction: 'out',
        transport: 'udp',
        protocol: 'coap',
        local,
        peer,
        bytesBase64: answer.toString('base64'),
      });
      socket.send(answer, rinfo.port, rinfo.address);
    });
    try {
      const child = spawn('coap-client-notls', ['-m', 'get', '-B', '3', `coap://127.0.0.1:${port}/3/0/0`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => child.once('exit', r));
      expect(out).toContain('Acme');
      const frames = (await list('lwm2m')).body.frames;
      expect(frames.map((f) => f.summary.replace(/token \w+/, 'token T').replace(/MID \d+/, 'MID M'))).toEqual([
        'LwM2M read /3/0/0 (Device / instance 0 / Manufacturer) (CON GET /3/0/0 MID M token T)',
        'LwM2M response /3/0/0 (Device / instance 0 / Manufacturer) → 2.05 (ACK 2.05 Content MID M token T)',
      ]);
      const detail = (await json<TrafficFrameDetail>(`/api/traffic/frames/${frames[0]!.seq}`)).body;
      const paths = detail.layers.find((l) => l.id === 'coap')!.fields.filter((f) => f.key === 'coap.opt.uri-path');
      expect(paths.map((f) => f.value)).toEqual(['3', '0', '0']);
    } finally {
      socket.close();
    }
  });
});
