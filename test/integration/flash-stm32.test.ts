// STM32 AN3155 flashing: the emulated bootloader is first validated by Debian's real stm32flash (write and
// read back), then the workbench's flasher must leave the same memory image; Intel hex through the API,
// read-out protection, no bootloader, extended erase, verify mismatch and an unplug mid-write.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import type { FlashChipInfo, FlashOperation } from '../../core/contract/flashing.js';
import { runEmulatorOnSerial, type RunningEmulator } from '../../core/flashing/emulator-on-serial.js';
import {
  Stm32BootloaderEmulator,
  type Stm32EmulatorOptions,
} from '../../core/flashing/stm32/stm32-bootloader-emulator.js';
import { flashStm32, type Stm32FlashOptions } from '../../core/flashing/stm32/stm32-flasher.js';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { openSerialLine } from '../../core/serial/serial-line.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

/** `expect.stringMatching` typed for toMatchObject. */
const matching = (re: RegExp): string => expect.stringMatching(re) as string;
const tempDir = useTempDirs('iotwb-flash-stm32-');

interface Board {
  pty: PtyPair;
  sim: RunningEmulator<Stm32BootloaderEmulator>;
}
const boards: Board[] = [];

async function board(options: Stm32EmulatorOptions = {}): Promise<Board> {
  const pty = await createPtyPair(join(tempDir(), 'pty'));
  const sim = await runEmulatorOnSerial(pty.devicePath, (send) => new Stm32BootloaderEmulator(options, send));
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

function stm32flash(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('stm32flash', args, { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

const request = (b: Board, over: Partial<Stm32FlashOptions> = {}): Stm32FlashOptions => ({
  path: b.pty.hostPath,
  baudRate: 115200,
  // AN3155 is 8E1 and the workbench defaults to it; a pty carries parity flags for serialport, so 8E1 here too.
  parity: 'even',
  reset: 'manual',
  images: [],
  eraseAll: false,
  verify: true,
  ...over,
});

const record = (type: number, address: number, data: number[]): string => {
  const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
  const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
  return ':' + [...bytes, sum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
};

describe('the STM32 bootloader emulator against stm32flash, and the workbench flasher against both', () => {
  it('stm32flash writes, verifies and reads back; the workbench leaves the same memory image', async () => {
    const image = randomBytes(10_001);
    const file = join(tempDir(), 'fw.bin');
    writeFileSync(file, image);

    const reference = await board();
    const write = await stm32flash([
      '-m',
      '8n1',
      '-b',
      '115200',
      '-w',
      file,
      '-v',
      '-S',
      '0x08000400',
      reference.pty.hostPath,
    ]);
    expect(write.out).toMatch(/Device ID\s*: 0x0410/);
    expect(write.code, write.out).toBe(0);
    const back = join(tempDir(), 'back.bin');
    const read = await stm32flash(['-m', '8n1', '-r', back, '-S', '0x08000400:10001', reference.pty.hostPath]);
    expect(read.code, read.out).toBe(0);
    expect(readFileSync(back).equals(image)).toBe(true);

    const ours = await board();
    const progress: string[] = [];
    const result = await flashStm32(
      request(ours, {
        images: [{ address: 0x08000400, data: image }],
        go: 0x08000400,
        onProgress: (p) => progress.push(p.phase),
      }),
      openSerialLine,
      systemClock,
    );
    expect(result.info).toMatchObject({ pid: 0x410, bootloaderVersion: '2.2', part: 'STM32F10xxx medium-density' });
    expect(Buffer.from(ours.sim.emulator.flash).equals(Buffer.from(reference.sim.emulator.flash))).toBe(true);
    expect(progress).toContain('verify');
    expect(ours.sim.emulator.startedAt).toBe(0x08000400);
  });

  it('erases with Extended Erase on parts that offer it, and mass-erases when asked', async () => {
    const b = await board({ extendedErase: true });
    b.sim.emulator.flash.fill(0x00, 0, 4096);
    const image = randomBytes(2048);
    await flashStm32(
      request(b, { images: [{ address: 0x08000000, data: image }], go: null }),
      openSerialLine,
      systemClock,
    );
    expect(b.sim.emulator.commands).toContain(0x44);
    expect(Buffer.from(b.sim.emulator.flash.subarray(0, 2048)).equals(image)).toBe(true);
    // Pages 0-1 were erased for the image; page 2 and 3 keep what they held.
    expect(b.sim.emulator.flash[2048]).toBe(0x00);
    await flashStm32(request(b, { eraseAll: true, verify: false, go: null }), openSerialLine, systemClock);
    expect(b.sim.emulator.flash.every((x) => x === 0xff)).toBe(true);
  });

  it('reports read protection and removes it when asked; says what to do when no bootloader answers', async () => {
    const b = await board({ readoutProtected: true });
    const image = randomBytes(600);
    const refused = await flashStm32(
      request(b, { images: [{ address: 0x08000000, data: image }] }),
      openSerialLine,
      systemClock,
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'protected' });
    await flashStm32(
      request(b, { images: [{ address: 0x08000000, data: image }], readoutUnprotect: true }),
      openSerialLine,
      systemClock,
    );
    expect(b.sim.emulator.readoutProtected).toBe(false);
    expect(Buffer.from(b.sim.emulator.flash.subarray(0, 600)).equals(image)).toBe(true);

    const app = await board({ bootMode: 'flash' });
    const silent = await flashStm32(request(app, { timeoutMs: 200 }), openSerialLine, systemClock).catch(
      (e: unknown) => e,
    );
    expect(silent).toMatchObject({ kind: 'sync', message: matching(/set BOOT0 to 1.*press RESET/) });
  });

  it('reports a verify mismatch and stops cleanly when the board is unplugged mid-write', async () => {
    const bad = await board({ corruptAt: 0x08000000 + 300 });
    const mismatch = await flashStm32(
      request(bad, { images: [{ address: 0x08000000, data: randomBytes(1024) }] }),
      openSerialLine,
      systemClock,
    ).catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ kind: 'verify', message: matching(/0x0800012c/) });

    const b = await board();
    let unplugged = false;
    const lost = await flashStm32(
      request(b, {
        images: [{ address: 0x08000000, data: randomBytes(64 * 1024) }],
        onProgress: (p) => {
          if (!unplugged && p.written > 4096) {
            unplugged = true;
            void b.pty.close();
          }
        },
      }),
      openSerialLine,
      systemClock,
    ).catch((e: unknown) => e);
    expect(unplugged).toBe(true);
    expect(lost).toMatchObject({ kind: 'lost' });
  });
});

describe('STM32 through the core', () => {
  let core: RunningCore;
  beforeAll(async () => {
    core = await startCore({ dataDir: tempDir() });
  });
  afterAll(async () => {
    await core.stop();
  });

  async function call<T>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
    const r = await core.api(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  it('detects the part and flashes an Intel hex file to the addresses its records carry', async () => {
    const b = await board();
    const detect = await call<FlashChipInfo>('/api/flash/detect', 'POST', {
      port: b.pty.hostPath,
      chip: 'stm32',
      reset: 'manual',
    });
    expect(detect.body).toMatchObject({ chip: 'stm32', description: 'STM32F10xxx medium-density', flashSize: '128KB' });
    const hex = [
      record(0x04, 0, [0x08, 0x00]),
      record(0x00, 0x0000, [0x00, 0x50, 0x00, 0x20, 0x01, 0x01, 0x00, 0x08]),
      record(0x00, 0x0800, [0xde, 0xad, 0xbe, 0xef]),
      ':00000001FF',
    ].join('\n');
    const started = await call<FlashOperation>('/api/flash', 'POST', {
      port: b.pty.hostPath,
      chip: 'stm32',
      reset: 'manual',
      allowUnsigned: true,
      images: [{ offset: 0, format: 'hex', name: 'blink.hex', base64: Buffer.from(hex).toString('base64') }],
    });
    expect(started.status).toBe(202);
    let op = started.body;
    const deadline = Date.now() + 20_000;
    while (op.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      op = (await call<FlashOperation>(`/api/flash/operations/${op.id}`)).body;
    }
    expect(op).toMatchObject({
      status: 'ok',
      chip: 'stm32',
      chipDescription: 'STM32F10xxx medium-density',
      verified: true,
    });
    expect(op.images.map((i) => [i.offset, i.size])).toEqual([
      [0x08000000, 8],
      [0x08000800, 4],
    ]);
    expect([...b.sim.emulator.flash.subarray(0, 8)]).toEqual([0x00, 0x50, 0x00, 0x20, 0x01, 0x01, 0x00, 0x08]);
    expect([...b.sim.emulator.flash.subarray(0x800, 0x804)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(b.sim.emulator.startedAt).toBe(0x08000000);
  });
});
