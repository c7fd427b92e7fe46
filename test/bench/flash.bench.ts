// Flashing: write + verify of a 1 MB image to the emulated ESP32 (esptool-js, stub, compressed) and STM32
// (AN3155, 256-byte blocks, read-back verify) at 115200 and 921600 baud over a socat pty. A pty has no baud
// limit, so the figures are the protocol and software cost, reported as effective image bytes/s and as a share
// of what the nominal line could carry (8N1: 10 bits a byte; 8E1: 11). Baselines in the same run: the raw pty
// one-way throughput, and Debian's stm32flash writing + verifying the same image to the same emulator.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { runEmulatorOnSerial } from '../../core/flashing/emulator-on-serial.js';
import { flashEsp } from '../../core/flashing/esp/esp-flasher.js';
import { EspRomEmulator } from '../../core/flashing/esp/esp-rom-emulator.js';
import { Stm32BootloaderEmulator } from '../../core/flashing/stm32/stm32-bootloader-emulator.js';
import { flashStm32 } from '../../core/flashing/stm32/stm32-flasher.js';
import { createPtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { openSerialLine } from '../../core/serial/serial-line.js';
import type { Benchmark } from './harness.js';

const IMAGE = 1024 * 1024;
const line = { dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' } as const;

async function rawPty(dir: string, image: Uint8Array): Promise<number> {
  const pty = await createPtyPair(join(dir, 'raw'));
  const device = await openSerialLine({ path: pty.devicePath, baudRate: 921600, ...line });
  const host = await openSerialLine({ path: pty.hostPath, baudRate: 921600, ...line });
  let got = 0;
  host.onData((b) => (got += b.length));
  const start = performance.now();
  for (let at = 0; at < image.length; at += 16384) await device.write(image.subarray(at, at + 16384));
  while (got < image.length) await new Promise((r) => setTimeout(r, 2));
  const bps = image.length / ((performance.now() - start) / 1000);
  await host.close();
  await device.close();
  await pty.close();
  return bps;
}

async function esp(dir: string, image: Uint8Array, baudRate: number): Promise<number> {
  const pty = await createPtyPair(join(dir, `esp-${baudRate}`));
  const sim = await runEmulatorOnSerial(pty.devicePath, (send) => new EspRomEmulator({ chip: 'esp32' }, send));
  const start = performance.now();
  await flashEsp({
    path: pty.hostPath,
    chip: 'esp32',
    baudRate,
    reset: 'auto',
    images: [{ offset: 0x10000, data: image }],
    eraseAll: false,
    verify: true,
    hardReset: false,
  });
  const bps = image.length / ((performance.now() - start) / 1000);
  if (!Buffer.from(sim.emulator.flash.subarray(0x10000, 0x10000 + image.length)).equals(image))
    throw new Error('ESP image differs');
  await sim.stop();
  await pty.close();
  return bps;
}

const stm32Board = async (dir: string, name: string) => {
  const pty = await createPtyPair(join(dir, name));
  const sim = await runEmulatorOnSerial(pty.devicePath, (send) => new Stm32BootloaderEmulator({ pid: 0x430 }, send));
  return { pty, sim };
};

async function stm32(dir: string, image: Uint8Array, baudRate: number): Promise<number> {
  const { pty, sim } = await stm32Board(dir, `stm32-${baudRate}`);
  const start = performance.now();
  await flashStm32(
    {
      path: pty.hostPath,
      baudRate,
      parity: 'even',
      reset: 'manual',
      images: [{ address: 0x08000000, data: image }],
      eraseAll: false,
      verify: true,
    },
    openSerialLine,
    systemClock,
  );
  const bps = image.length / ((performance.now() - start) / 1000);
  if (!Buffer.from(sim.emulator.flash).equals(Buffer.from(image))) throw new Error('STM32 image differs');
  await sim.stop();
  await pty.close();
  return bps;
}

async function stm32flash(dir: string, image: Uint8Array, baudRate: number): Promise<number> {
  const { pty, sim } = await stm32Board(dir, `stm32flash-${baudRate}`);
  const file = join(dir, 'image.bin');
  writeFileSync(file, image);
  const start = performance.now();
  await new Promise<void>((resolve, reject) =>
    execFile(
      'stm32flash',
      ['-m', '8n1', '-b', String(baudRate), '-w', file, '-v', '-S', '0x08000000', pty.hostPath],
      { timeout: 170_000 },
      (error, _out, stderr) => (error ? reject(new Error(`stm32flash: ${stderr}`)) : resolve()),
    ),
  );
  const bps = image.length / ((performance.now() - start) / 1000);
  if (!Buffer.from(sim.emulator.flash).equals(Buffer.from(image))) throw new Error('stm32flash image differs');
  await sim.stop();
  await pty.close();
  return bps;
}

const kib = (bps: number): number => Math.round(bps / 102.4) / 10;
const share = (bps: number, baud: number, bitsPerByte: number): number =>
  Math.round((bps / (baud / bitsPerByte)) * 1000) / 10;

export const benchmark: Benchmark = {
  name: 'flash: 1 MB write + verify to the emulated ESP32 and STM32 over a pty',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'iotwb-bench-flash-'));
    // Random bytes do not compress: esptool-js's deflate gains nothing, so image bytes = bytes on the line.
    const image = new Uint8Array(randomBytes(IMAGE));
    try {
      const raw = await rawPty(dir, image);
      const rows = [{ label: 'raw pty one-way (baseline)', value: kib(raw), unit: 'KiB/s' }];
      const figures: Record<string, number> = {};
      for (const baud of [115200, 921600]) {
        const e = await esp(dir, image, baud);
        figures[`esp${baud}`] = e;
        rows.push({ label: `ESP32 esptool-js @${baud}`, value: kib(e), unit: 'KiB/s' });
        rows.push({ label: `  share of the 8N1 line rate @${baud}`, value: share(e, baud, 10), unit: '%' });
      }
      for (const baud of [115200, 921600]) {
        const ref = await stm32flash(dir, image, baud);
        const ours = await stm32(dir, image, baud);
        figures[`stm${baud}`] = ours / ref;
        rows.push({ label: `STM32 stm32flash @${baud} (baseline)`, value: kib(ref), unit: 'KiB/s' });
        rows.push({ label: `STM32 workbench @${baud}`, value: kib(ours), unit: 'KiB/s' });
        rows.push({ label: `  share of the 8E1 line rate @${baud}`, value: share(ours, baud, 11), unit: '%' });
      }
      rows.push({
        label: 'STM32 workbench / stm32flash @921600',
        value: Math.round((figures.stm921600 ?? 0) * 100) / 100,
        unit: 'x',
      });
      return {
        rows,
        ratio: { label: 'ESP32 @921600 / raw pty', value: Math.round(((figures.esp921600 ?? 0) / raw) * 1000) / 1000 },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
