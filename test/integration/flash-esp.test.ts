// ESP32/ESP8266 flashing through Espressif's esptool-js against the ROM loader emulator on socat pty pairs:
// write + MD5 verify, erase, wrong chip, wrong boot mode with a manual retry, unplug mid-write, verify
// mismatch, and the take-over of an open terminal through the real core's API, with durable records.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlashChipInfo, FlashOperation } from '../../core/contract/flashing.js';
import type { SerialSession } from '../../core/contract/serial.js';
import { runEmulatorOnSerial, type RunningEmulator } from '../../core/flashing/emulator-on-serial.js';
import { EspFlashError, flashEsp } from '../../core/flashing/esp/esp-flasher.js';
import { EspRomEmulator, type EspEmulatorOptions } from '../../core/flashing/esp/esp-rom-emulator.js';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

/** `expect.stringMatching` typed for toMatchObject. */
const matching = (re: RegExp): string => expect.stringMatching(re) as string;
const tempDir = useTempDirs('iotwb-flash-esp-');
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

interface Board {
  pty: PtyPair;
  sim: RunningEmulator<EspRomEmulator>;
}
const boards: Board[] = [];

async function board(options: EspEmulatorOptions): Promise<Board> {
  const pty = await createPtyPair(join(tempDir(), 'pty'));
  const sim = await runEmulatorOnSerial(pty.devicePath, (send) => new EspRomEmulator(options, send));
  const b = { pty, sim };
  boards.push(b);
  return b;
}

afterEach(async () => {
  for (const b of boards.splice(0)) {
    await b.sim.stop().catch(() => undefined);
    await b.pty.close();
  }
});

const base = { chip: 'auto' as const, baudRate: 115200, reset: 'auto' as const, connectAttempts: 2 };
const flashOf = (b: Board, offset: number, length: number): Uint8Array =>
  b.sim.emulator.flash.subarray(offset, offset + length);

describe('esptool-js against the emulated ROM loader', () => {
  it('writes the usual ESP32 layout compressed through the stub at 921600 and verifies each MD5', async () => {
    const b = await board({ chip: 'esp32' });
    const bootloader = randomBytes(20_000);
    const partitions = randomBytes(3072);
    const app = Buffer.concat([randomBytes(100_000), Buffer.alloc(100_000, 0x42)]);
    const progress: number[] = [];
    const result = await flashEsp({
      ...base,
      path: b.pty.hostPath,
      baudRate: 921600,
      images: [
        { offset: 0x1000, data: bootloader },
        { offset: 0x8000, data: partitions },
        { offset: 0x10000, data: app },
      ],
      eraseAll: false,
      verify: true,
      hardReset: true,
      onProgress: (p) => p.image === 2 && progress.push(p.written),
    });
    expect(result.info).toMatchObject({ chip: 'esp32', mac: '24:0a:c4:12:34:56', flashSize: '4MB', crystalMHz: 40 });
    expect(result.info.description).toContain('ESP32-D0WD');
    expect(b.sim.emulator.inStub).toBe(true);
    expect(b.sim.emulator.baudRate).toBe(921600);
    expect(md5(flashOf(b, 0x1000, bootloader.length))).toBe(md5(bootloader));
    expect(md5(flashOf(b, 0x8000, partitions.length))).toBe(md5(partitions));
    expect(md5(flashOf(b, 0x10000, app.length))).toBe(md5(app));
    expect(result.verified).toEqual([md5(bootloader), md5(partitions), md5(app)]);
    // Compressed blocks are reported in image bytes: the last report is the whole app.
    expect(progress.at(-1)).toBe(app.length);
    expect(b.sim.emulator.seen).toContain(0x11); // FLASH_DEFL_DATA
  });

  it('flashes an ESP8266 through the ROM only (no stub, uncompressed) and reads its MAC', async () => {
    const b = await board({ chip: 'esp8266', mac: Uint8Array.from([0x18, 0xfe, 0x34, 0xa1, 0xb2, 0xc3]) });
    const image = randomBytes(40_001);
    const result = await flashEsp({
      ...base,
      chip: 'esp8266',
      path: b.pty.hostPath,
      noStub: true,
      compress: false,
      images: [{ offset: 0, data: image }],
      eraseAll: false,
      verify: true,
      hardReset: false,
    });
    expect(result.info).toMatchObject({ chip: 'esp8266', description: 'ESP8266EX', mac: '18:fe:34:a1:b2:c3' });
    expect(b.sim.emulator.inStub).toBe(false);
    expect(b.sim.emulator.seen).toContain(0x03); // FLASH_DATA
    expect(Buffer.from(flashOf(b, 0, image.length)).equals(image)).toBe(true);
  });

  it('erases the whole chip and a region through the stub', async () => {
    const b = await board({ chip: 'esp32', flashSize: 2 * 1024 * 1024 });
    b.sim.emulator.flash.fill(0x00);
    await flashEsp({ ...base, path: b.pty.hostPath, images: [], eraseAll: true, verify: false, hardReset: false });
    expect(b.sim.emulator.flash.every((x) => x === 0xff)).toBe(true);
    b.sim.emulator.flash.fill(0x11);
    await flashEsp({
      ...base,
      path: b.pty.hostPath,
      images: [],
      eraseAll: false,
      eraseRegions: [{ offset: 0x9000, size: 0x2000 }],
      verify: false,
      hardReset: false,
    });
    expect(b.sim.emulator.flash[0x8fff]).toBe(0x11);
    expect(flashOf(b, 0x9000, 0x2000).every((x) => x === 0xff)).toBe(true);
    expect(b.sim.emulator.flash[0xb000]).toBe(0x11);
  });

  it('refuses the wrong chip, and names the boot mode when the board runs its app; a manual retry works', async () => {
    const esp8266 = await board({ chip: 'esp8266' });
    const wrong = flashEsp({
      ...base,
      chip: 'esp32',
      path: esp8266.pty.hostPath,
      images: [],
      eraseAll: true,
      verify: false,
      hardReset: false,
    });
    await expect(wrong).rejects.toMatchObject({
      kind: 'wrong-chip',
      message: matching(/expected ESP32 but the board is ESP8266/),
    });

    const b = await board({ chip: 'esp32', bootMode: 'flash' });
    const image = randomBytes(5000);
    const request = {
      ...base,
      path: b.pty.hostPath,
      images: [{ offset: 0x10000, data: image }],
      eraseAll: false,
      verify: true,
      hardReset: false,
    };
    const error = await flashEsp(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EspFlashError);
    expect(error).toMatchObject({ kind: 'boot-mode', message: matching(/hold BOOT.*tap RESET/) });
    b.sim.emulator.enterDownloadMode();
    await flashEsp({ ...request, reset: 'manual' });
    expect(Buffer.from(flashOf(b, 0x10000, image.length)).equals(image)).toBe(true);
  });

  it('gives up with a sync error when nothing answers', async () => {
    const pty = await createPtyPair(join(tempDir(), 'silent'));
    try {
      const started = Date.now();
      const error = await flashEsp({
        ...base,
        path: pty.hostPath,
        images: [],
        eraseAll: true,
        verify: false,
        hardReset: false,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'sync', message: matching(/no answer from an ESP bootloader/) });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await pty.close();
    }
  });

  it('reports a verify mismatch when a flash cell fails', async () => {
    const b = await board({ chip: 'esp32', corruptAt: 0x10000 + 777 });
    const error = await flashEsp({
      ...base,
      path: b.pty.hostPath,
      images: [{ offset: 0x10000, data: randomBytes(4096) }],
      eraseAll: false,
      verify: true,
      hardReset: false,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'verify' });
  });

  it('stops with a clear error, not a hang, when the board is unplugged mid-write', async () => {
    const b = await board({ chip: 'esp32' });
    let unplugged = false;
    const started = Date.now();
    const error = await flashEsp({
      ...base,
      path: b.pty.hostPath,
      compress: false,
      images: [{ offset: 0, data: randomBytes(1024 * 1024) }],
      eraseAll: false,
      verify: true,
      hardReset: false,
      onProgress: (p) => {
        if (!unplugged && p.written > 64 * 1024) {
          unplugged = true;
          void b.pty.close();
        }
      },
    }).catch((e: unknown) => e);
    expect(unplugged).toBe(true);
    expect(error).toMatchObject({ kind: 'lost', message: matching(/went away/) });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('flashing through the core: records, take-over and hand-back', () => {
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

  async function finished(id: string): Promise<FlashOperation> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { body } = await call<FlashOperation>(`/api/flash/operations/${id}`);
      if (body.status !== 'running') return body;
      if (Date.now() > deadline) throw new Error('the flash did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    dataDir = tempDir();
    core = await startCore({ dataDir });
  });
  afterAll(async () => {
    await core.stop();
  });

  it('detects the chip, pauses an open terminal for the flash, resumes it and keeps the record across a restart', async () => {
    const b = await board({ chip: 'esp32' });
    const detect = await call<FlashChipInfo>('/api/flash/detect', 'POST', { port: b.pty.hostPath });
    expect(detect.status).toBe(200);
    expect(detect.body).toMatchObject({ chip: 'esp32', mac: '24:0a:c4:12:34:56', flashSize: '4MB' });

    const opened = await call<SerialSession>('/api/serial/sessions', 'POST', {
      path: b.pty.hostPath,
      baudRate: 115200,
    });
    expect(opened.status).toBe(201);
    const statuses: string[] = [];
    const unsubscribe = core.platform.bus.subscribe('serial', (e) => {
      if (e.kind === 'status' && e.sessionId === opened.body.id) statuses.push(`${e.status}: ${e.message ?? ''}`);
    });
    const flashEvents: number[] = [];
    const unsubscribeFlash = core.platform.bus.subscribe('flash', (e) => {
      if (e.phase === 'write') flashEvents.push(e.bytesPerSecond);
    });

    const app = randomBytes(300_000);
    const unsigned = await call<{ code: string; message: string }>('/api/flash', 'POST', {
      port: b.pty.hostPath,
      chip: 'esp32',
      images: [{ offset: 0x10000, name: 'app.bin', base64: app.toString('base64') }],
    });
    expect(unsigned).toMatchObject({ status: 400, body: { code: 'FLASH_UNSIGNED_IMAGE' } });
    expect(unsigned.body.message).toContain('app.bin is a file, not a signed package from the library');
    expect(statuses).toEqual([]);
    const started = await call<FlashOperation>('/api/flash', 'POST', {
      port: b.pty.hostPath,
      chip: 'esp32',
      baudRate: 460800,
      allowUnsigned: true,
      images: [{ offset: 0x10000, name: 'app.bin', base64: app.toString('base64') }],
    });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('running');
    const op = await finished(started.body.id);
    unsubscribe();
    unsubscribeFlash();
    expect(op).toMatchObject({
      status: 'ok',
      chip: 'esp32',
      mac: '24:0a:c4:12:34:56',
      verified: true,
      written: app.length,
      total: app.length,
      images: [
        {
          offset: 0x10000,
          size: app.length,
          name: 'app.bin',
          sha256: createHash('sha256').update(app).digest('hex'),
          packageId: null,
          signedBy: null,
        },
      ],
    });
    expect(op.durationMs).toBeGreaterThan(0);
    expect(op.log.some((l) => /Hash of data verified/.test(l))).toBe(true);
    expect(flashEvents.some((bps) => bps > 0)).toBe(true);
    expect(Buffer.from(flashOf(b, 0x10000, app.length)).equals(app)).toBe(true);
    expect(statuses[0]).toMatch(/^taken-over: flashing…/);
    expect(statuses.at(-1)).toMatch(/^open:/);
    const session = await call<{ sessions: SerialSession[] }>('/api/serial/sessions');
    expect(session.body.sessions.find((s) => s.id === opened.body.id)?.status).toBe('open');

    const bad = await call<{ code: string }>('/api/flash', 'POST', {
      port: b.pty.hostPath,
      allowUnsigned: true,
      images: [{ offset: 0, format: 'hex', base64: Buffer.from(':0000000').toString('base64') }],
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'FLASH_BAD_IMAGE' } });

    await call(`/api/serial/sessions/${opened.body.id}`, 'DELETE');
    await core.stop();
    core = await startCore({ dataDir });
    const list = await call<{ operations: FlashOperation[] }>('/api/flash/operations');
    expect(list.body.operations.find((o) => o.id === op.id)).toMatchObject({ status: 'ok', imageHash: op.imageHash });
  });

  it('records a failed flash with its code and keeps the port usable', async () => {
    const b = await board({ chip: 'esp8266' });
    const started = await call<FlashOperation>('/api/flash', 'POST', {
      port: b.pty.hostPath,
      chip: 'esp32',
      allowUnsigned: true,
      images: [{ offset: 0, base64: randomBytes(100).toString('base64') }],
    });
    const op = await finished(started.body.id);
    expect(op).toMatchObject({ status: 'failed', error: { code: 'FLASH_WRONG_CHIP' } });
    const again = await call<FlashChipInfo>('/api/flash/detect', 'POST', { port: b.pty.hostPath });
    expect(again.body.chip).toBe('esp8266');
  });
});
