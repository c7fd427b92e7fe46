// The serial workbench in a real core: terminal sessions on socat pty pairs (opened exactly like a USB port),
// hex sending, file logs, the AT console against the module emulator, and a port that vanishes mid-session.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEventMap } from '../../core/contract/events.js';
import type { AtResult, SerialSession, VirtualModule } from '../../core/contract/serial.js';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { openSerialLine, type SerialLine } from '../../core/serial/serial-line.js';
import { startCore, type RunningCore } from '../support/core.js';
import { runIotwb } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-serial-');
let core: RunningCore;
let dataDir: string;

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const r = await core.api(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const openDevice = (path: string): Promise<SerialLine> =>
  openSerialLine({ path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' });

beforeAll(async () => {
  dataDir = tempDir();
  core = await startCore({ dataDir });
});
afterAll(async () => {
  await core.stop();
});

describe('terminal sessions on a pty pair', () => {
  let pty: PtyPair;
  beforeAll(async () => {
    pty = await createPtyPair(join(tempDir(), 'pty'));
  });
  afterAll(async () => {
    await pty.close();
  });

  it('streams bytes both ways binary-safe, sends hex, logs to a file and refuses a second owner', async () => {
    const events: BusEventMap['serial'][] = [];
    const unsubscribe = core.platform.bus.subscribe('serial', (e) => events.push(e));
    const device = await openDevice(pty.devicePath);
    const fromHost: number[] = [];
    device.onData((b) => fromHost.push(...b));

    const opened = await call<SerialSession>('/api/serial/sessions', 'POST', {
      path: pty.hostPath,
      baudRate: 74880,
      logToFile: true,
    });
    expect(opened.status).toBe(201);
    const id = opened.body.id;
    expect((await call('/api/serial/sessions', 'POST', { path: pty.hostPath })).status).toBe(409);

    expect((await call(`/api/serial/sessions/${id}/send`, 'POST', { mode: 'hex', hex: '00 ff 41 0d 0a' })).status).toBe(
      200,
    );
    await call(`/api/serial/sessions/${id}/send`, 'POST', { mode: 'text', text: 'hello', lineEnding: 'cr' });
    await until(() => fromHost.length >= 11);
    expect(Buffer.from(fromHost).toString('hex')).toBe('00ff410d0a' + Buffer.from('hello\r').toString('hex'));

    await device.write(Uint8Array.of(0x80, 0xfe, 0x0a, 0x42, 0x0a));
    await until(() => events.some((e) => e.kind === 'data' && e.direction === 'in'));
    const inBytes = Buffer.concat(
      events.filter((e) => e.kind === 'data' && e.direction === 'in').map((e) => Buffer.from(e.base64 ?? '', 'base64')),
    );
    expect(inBytes.toString('hex')).toBe('80fe0a420a');

    const output = await call<{ chunks: { direction: string; base64: string }[] }>(`/api/serial/sessions/${id}/output`);
    expect(output.body.chunks.map((c) => c.direction)).toContain('in');
    expect((await call<{ lines: string[] }>(`/api/serial/sessions/${id}/history`)).body.lines).toEqual([
      '00 ff 41 0d 0a',
      'hello',
    ]);

    const session = (await call<{ sessions: SerialSession[] }>('/api/serial/sessions')).body.sessions[0];
    expect(session?.logFile).toBeDefined();
    await call(`/api/serial/sessions/${id}`, 'DELETE');
    const log = readFileSync(session?.logFile ?? '');
    expect(log.includes(Buffer.from([0x80, 0xfe]))).toBe(true);
    expect(log.toString('latin1')).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] > /);
    expect(log.toString('latin1')).toMatch(/\] < B\n/);
    await device.close();
    unsubscribe();
  });
});

/** A stand-in for the LwM2M server of issue 5: accepts registration, observes /19/0/0, records notifications. */
async function fakeLwM2mServer() {
  const socket: Socket = createSocket('udp4');
  const registrations: string[] = [];
  const uplinks: string[] = [];
  let device: { address: string; port: number } | undefined;
  socket.on('message', (raw, rinfo) => {
    const p: ParsedPacket = coapPacket.parse(raw);
    const path = p.options
      .filter((o) => o.name === 'Uri-Path')
      .map((o) => o.value.toString())
      .join('/');
    if (p.code === '0.02' && path === 'rd') {
      const ep = p.options.map((o) => o.value.toString()).find((v) => v.startsWith('ep='));
      registrations.push(ep ?? '');
      device = { address: rinfo.address, port: rinfo.port };
      socket.send(
        coapPacket.generate({
          messageId: p.messageId,
          token: p.token,
          ack: true,
          code: '2.01',
          options: [
            { name: 'Location-Path', value: Buffer.from('rd') },
            { name: 'Location-Path', value: Buffer.from('r1') },
          ],
        }),
        rinfo.port,
        rinfo.address,
      );
      socket.send(
        coapPacket.generate({
          messageId: 7001,
          token: Buffer.from('ob19'),
          confirmable: true,
          code: 'GET',
          options: [
            { name: 'Observe', value: Buffer.alloc(0) },
            { name: 'Uri-Path', value: Buffer.from('19') },
            { name: 'Uri-Path', value: Buffer.from('0') },
            { name: 'Uri-Path', value: Buffer.from('0') },
          ],
        }),
        rinfo.port,
        rinfo.address,
      );
    } else if (p.code === '2.05' && p.token.toString() === 'ob19' && !p.ack) {
      uplinks.push(p.payload.toString('hex'));
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    registrations,
    uplinks,
    write19(bytes: Buffer) {
      if (!device) throw new Error('no device registered');
      socket.send(
        coapPacket.generate({
          messageId: 7002,
          token: Buffer.from('w1'),
          confirmable: true,
          code: 'PUT',
          options: ['19', '1', '0'].map((v) => ({ name: 'Uri-Path' as const, value: Buffer.from(v) })),
          payload: bytes,
        }),
        device.port,
        device.address,
      );
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('AT console against the module emulator', () => {
  it('starts a virtual module, reads its IMEI and signal, and runs a saved script that registers over LwM2M', async () => {
    const lwm2m = await fakeLwM2mServer();
    const started = await call<VirtualModule>('/api/serial/virtual-modules', 'POST', { imei: '861234567890123' });
    expect(started.status).toBe(201);
    const ports = await call<{ ports: { path: string; virtual?: boolean }[] }>('/api/serial/ports');
    expect(ports.body.ports).toContainEqual({ path: started.body.path, virtual: true });

    const id = (await call<SerialSession>('/api/serial/sessions', 'POST', { path: started.body.path, baudRate: 9600 }))
      .body.id;
    const imei = await call<AtResult>(`/api/serial/sessions/${id}/at`, 'POST', { command: 'AT+CGSN=1' });
    expect(imei.body).toMatchObject({ final: 'ok', fields: { imei: '861234567890123' } });
    const radio = await call<AtResult>(`/api/serial/sessions/${id}/at`, 'POST', { command: 'AT+NUESTATS' });
    expect(radio.body.fields).toMatchObject({ rsrpDbm: -83.2, sinrDb: 12.4, coverageLevel: 0 });

    const saved = await call('/api/serial/at/scripts/point-at-lab', 'PUT', {
      name: 'Point at the lab',
      steps: [
        { command: 'AT+CFUN=0' },
        { command: 'AT+NMGS=2,AABB', expect: 'ERROR' },
        { command: `AT+NCDP=127.0.0.1,${lwm2m.port}` },
        { command: 'AT+NCDP?', expect: String(lwm2m.port) },
        { command: 'AT+NRB', timeoutMs: 5000, waitMs: 500 },
        { command: 'AT+NMGS=2,AABB', expect: 'OK' },
      ],
    });
    expect(saved.status).toBe(200);
    const run = await call<{ passed: boolean; steps: { passed: boolean }[] }>(
      `/api/serial/sessions/${id}/scripts/point-at-lab/run`,
      'POST',
    );
    expect(run.body.passed).toBe(true);
    expect(run.body.steps).toHaveLength(6);
    expect(lwm2m.registrations).toEqual(['ep=861234567890123']);
    await until(() => lwm2m.uplinks.length === 1);
    expect(lwm2m.uplinks).toEqual(['aabb']);

    // A platform write on /19/1/0 arrives as +NNMI:<len>,<hex> (mode 1) in the session.
    const urcs: string[] = [];
    const off = core.platform.bus.subscribe('serial', (e) => {
      if (e.sessionId === id && e.kind === 'data' && e.direction === 'in')
        urcs.push(Buffer.from(e.base64 ?? '', 'base64').toString());
    });
    lwm2m.write19(Buffer.from([0x01, 0xfe]));
    await until(() => urcs.join('').includes('+NNMI:2,01FE'));
    off();
    await lwm2m.close();
    const timeout = await call<AtResult>(`/api/serial/sessions/${id}/at`, 'POST', {
      command: 'AT+CSQ',
      timeoutMs: 2000,
    });
    expect(timeout.body.fields).toMatchObject({ rssi: 21, rssiDbm: -71 });

    await call(`/api/serial/sessions/${id}`, 'DELETE');
    expect((await call(`/api/serial/virtual-modules/${started.body.id}`, 'DELETE')).status).toBe(200);
  });
});

describe('a port that vanishes', () => {
  it('closes the session with a clear status, or waits and reopens it when asked to reconnect', async () => {
    const dir = join(tempDir(), 'vanish');
    let pty = await createPtyPair(dir);
    const statuses: BusEventMap['serial'][] = [];
    const unsubscribe = core.platform.bus.subscribe('serial', (e) => e.kind === 'status' && statuses.push(e));
    const plain = (await call<SerialSession>('/api/serial/sessions', 'POST', { path: pty.hostPath })).body.id;
    await pty.close();
    await until(() => statuses.some((s) => s.sessionId === plain && s.status === 'closed'));
    expect(statuses.find((s) => s.sessionId === plain && s.status === 'closed')?.message).toMatch(/disappeared/);
    await call(`/api/serial/sessions/${plain}`, 'DELETE');

    pty = await createPtyPair(dir);
    const again = (await call<SerialSession>('/api/serial/sessions', 'POST', { path: pty.hostPath, reconnect: true }))
      .body.id;
    await pty.close();
    await until(() => statuses.some((s) => s.sessionId === again && s.status === 'reconnecting'));
    pty = await createPtyPair(dir);
    await until(() => statuses.filter((s) => s.sessionId === again && s.status === 'open').length === 2, 8000);
    const device = await openDevice(pty.devicePath);
    const got: number[] = [];
    device.onData((b) => got.push(...b));
    await call(`/api/serial/sessions/${again}/send`, 'POST', { mode: 'text', text: 'back', lineEnding: 'none' });
    await until(() => got.length === 4);
    await device.close();
    await call(`/api/serial/sessions/${again}`, 'DELETE');
    await pty.close();
    unsubscribe();
  });
});

describe('iotwb module-sim', () => {
  it('answers AT commands on any serial device, here one end of a pty pair, and stops cleanly on SIGTERM', async () => {
    const pty = await createPtyPair(join(tempDir(), 'cli'));
    const child = runIotwb(['module-sim', '--serial', pty.devicePath, '--imei', '860000000000042']);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => stdout.includes('answering on'), 20_000);
    const id = (await call<SerialSession>('/api/serial/sessions', 'POST', { path: pty.hostPath, baudRate: 9600 })).body
      .id;
    const imei = await call<AtResult>(`/api/serial/sessions/${id}/at`, 'POST', { command: 'AT+CGSN=1' });
    expect(imei.body.fields).toEqual({ imei: '860000000000042' });
    await call(`/api/serial/sessions/${id}`, 'DELETE');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('module-sim: stopped');
    await pty.close();
  });
});
