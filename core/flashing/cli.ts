// `iotwb flash` (flash a board, recorded in the data folder's operation list) and `iotwb flash-sim` (an emulated
// ESP32/ESP8266 ROM loader or STM32 bootloader on a serial device, for demos and CI).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand, CliIo } from '../cli.js';
import { createEventBus } from '../bus/event-bus.js';
import { systemClock } from '../clock.js';
import { defaultDataDir } from '../config.js';
import { flashRequestSchema, type FlashOperation } from '../contract/flashing.js';
import { DomainError } from '../domain-error.js';
import { DATABASE_FILE_NAME } from '../platform.js';
import { PortRegistry } from '../serial/index.js';
import { openSerialLine } from '../serial/index.js';
import { openStore } from '../store/database.js';
import { runEmulatorOnSerial } from './emulator-on-serial.js';
import { EspRomEmulator } from './esp/esp-rom-emulator.js';
import { FlashService } from './flash-service.js';
import { PackageLibrary, packageMigrations } from '../ota/index.js';
import { FlashStore, flashMigrations } from './flash-store.js';
import { Stm32BootloaderEmulator } from './stm32/stm32-bootloader-emulator.js';

/** `IMAGE[@OFFSET]`: offsets in hex (0x1000) or decimal; a `.hex` file carries its own addresses. */
export function parseImageArg(arg: string): { file: string; offset: number; format: 'bin' | 'hex' } {
  const at = arg.lastIndexOf('@');
  const file = at > 0 ? arg.slice(0, at) : arg;
  const offsetText = at > 0 ? arg.slice(at + 1) : '0';
  const offset = /^0x[0-9a-f]+$/i.test(offsetText)
    ? parseInt(offsetText, 16)
    : /^\d+$/.test(offsetText)
      ? Number(offsetText)
      : NaN;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > 0xffffffff)
    throw new Error(`bad offset "${offsetText}" in ${arg}`);
  return { file, offset, format: /\.(hex|ihex)$/i.test(file) ? 'hex' : 'bin' };
}

function bar(written: number, total: number, bytesPerSecond: number): string {
  const share = total === 0 ? 1 : written / total;
  const filled = Math.round(share * 30);
  return `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
}

async function runFlash(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  io: CliIo,
): Promise<number> {
  const json = values.json === true || !process.stdout.isTTY;
  let images;
  try {
    const packageArgs = typeof values.package === 'string' ? values.package.split(',').filter(Boolean) : [];
    images = [
      ...packageArgs.map(parseImageArg).map((p) => ({ offset: p.offset, packageId: p.file })),
      ...positionals.map(parseImageArg).map((i) => ({
        offset: i.offset,
        format: i.format,
        name: i.file,
        base64: readFileSync(i.file).toString('base64'),
      })),
    ];
  } catch (error) {
    io.err(`flash: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const parsed = flashRequestSchema.safeParse({
    port: values.port,
    chip: values.chip ?? 'auto',
    ...(typeof values.baud === 'string' ? { baudRate: Number(values.baud) } : {}),
    reset: values.reset ?? 'auto',
    parity: values.parity ?? 'even',
    images,
    eraseAll: values.erase === true,
    verify: values['no-verify'] !== true,
    hardReset: values['no-reset'] !== true,
    readoutUnprotect: values['readout-unprotect'] === true,
    allowUnsigned: values.unsigned === true,
  });
  if (!parsed.success) {
    io.err(`flash: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    return 2;
  }
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : defaultDataDir();
  const store = openStore(
    join(dataDir, DATABASE_FILE_NAME),
    [
      { capability: 'packages', migrations: packageMigrations },
      { capability: 'flashing', migrations: flashMigrations },
    ],
    () => new Date(),
  );
  const library = new PackageLibrary(store.db, systemClock, dataDir, { exists: () => true });
  const bus = createEventBus(() => undefined);
  const service = new FlashService({
    store: new FlashStore(store.db),
    registry: new PortRegistry(),
    openLine: openSerialLine,
    clock: systemClock,
    bus,
    packages: (id, maxBytes) => library.verifiedBinary(id, maxBytes),
  });
  let lastBar = '';
  bus.subscribe('flash', (e) => {
    if (json) {
      io.out(JSON.stringify(e));
      return;
    }
    if (e.line) {
      if (lastBar) process.stdout.write('\n');
      lastBar = '';
      io.out(e.line);
    }
    if (e.phase === 'write' || e.phase === 'verify') {
      lastBar = `${e.phase === 'write' ? 'Writing ' : 'Verifying'} ${bar(e.written, e.total, e.bytesPerSecond)}`;
      process.stdout.write(`\r${lastBar}`);
    }
  });
  let op: FlashOperation;
  try {
    op = await (await service.start(parsed.data)).done;
  } catch (error) {
    await store.close();
    io.err(`flash: ${error instanceof DomainError ? error.message : String(error)}`);
    return 2;
  }
  await store.close();
  if (lastBar) process.stdout.write('\n');
  if (json) io.out(JSON.stringify({ result: op }));
  if (op.status === 'ok') {
    if (!json)
      io.out(
        `flash: done in ${((op.durationMs ?? 0) / 1000).toFixed(1)} s (${op.chipDescription ?? op.chip}${op.verified ? ', verified' : ''})`,
      );
    return 0;
  }
  io.err(`flash: ${op.error?.message ?? 'failed'}`);
  return 1;
}

export const flashCommand: CliCommand = {
  summary: 'Flash an ESP32/ESP8266 (esptool-js) or STM32 (UART bootloader) board over serial',
  usage: `iotwb flash --port P [--chip auto|esp32|esp8266|stm32] [--baud N] [--package ID[@OFFSET],…]
            [--unsigned IMAGE[@OFFSET]…] [--erase] [--no-verify] [--reset auto|manual|usb-jtag]
            [--parity even|none] [--no-reset] [--readout-unprotect] [--json] [--data-dir D]
  --port P        serial device (/dev/ttyUSB0, COM3)
  --chip C        auto detects ESP32 / ESP8266; STM32 must be named (default auto)
  --baud N        transfer baud rate (default 115200; ESP boards switch up from 115200, e.g. 921600)
  IMAGE@OFFSET    a .bin at a flash offset (ESP: 0x1000 bootloader, 0x8000 partitions, 0x10000 app;
                  STM32: an address, or an offset from 0x08000000); an Intel .hex carries its addresses.
                  A file has no signature: writing it needs --unsigned
  --package ID    a package from the workbench's library (its id), at @OFFSET; its signature is verified
                  against the manufacturer's registered key before anything is written
  --erase         erase the whole flash first (alone: just erase)
  --no-verify     skip the MD5 (ESP) / read-back (STM32) verify
  --reset M       auto: RTS/DTR into the bootloader; manual: hold BOOT (ESP) / set BOOT0 (STM32) and tap RESET
  --parity P      STM32 line parity: even (AN3155, the default) or none (a pty or a bridge without parity)
  --no-reset      stay in the bootloader afterwards instead of starting the new firmware
  --json          one JSON progress line per event (the default when stdout is not a terminal)
  --data-dir D    where the operation is recorded (default: the workbench's data folder)
Exit status: 0 flashed, 1 the flash failed, 2 bad arguments.`,
  options: {
    port: { type: 'string' },
    chip: { type: 'string' },
    baud: { type: 'string' },
    reset: { type: 'string' },
    parity: { type: 'string' },
    erase: { type: 'boolean' },
    'no-verify': { type: 'boolean' },
    'no-reset': { type: 'boolean' },
    'readout-unprotect': { type: 'boolean' },
    package: { type: 'string' },
    unsigned: { type: 'boolean' },
    json: { type: 'boolean' },
    'data-dir': { type: 'string' },
  },
  run: ({ values, positionals }, io) => runFlash(values, positionals, io),
};

export const flashSimCommand: CliCommand = {
  summary: 'Emulate an ESP32/ESP8266 ROM loader or an STM32 bootloader on a serial device',
  usage: `iotwb flash-sim --chip esp32|esp8266|stm32f1 --serial PATH [--boot-mode download|flash]
  --serial PATH   serial device to answer on (one end of a socat pty pair, or a USB adapter)
  --boot-mode M   download (default): in the bootloader; flash: the board runs its app until you press Enter
                  (what holding BOOT and tapping RESET does on a real board)
Stops on Ctrl+C or when the device goes away.`,
  options: {
    chip: { type: 'string' },
    serial: { type: 'string' },
    'boot-mode': { type: 'string' },
  },
  async run({ values }, io) {
    const path = values.serial;
    const chip = values.chip;
    if (typeof path !== 'string' || path === '') {
      io.err('flash-sim: --serial PATH is required');
      return 2;
    }
    if (chip !== 'esp32' && chip !== 'esp8266' && chip !== 'stm32f1') {
      io.err('flash-sim: --chip must be esp32, esp8266 or stm32f1');
      return 2;
    }
    const inApp = values['boot-mode'] === 'flash';
    let running;
    let enterBootloader: () => void;
    try {
      if (chip === 'stm32f1') {
        const sim = await runEmulatorOnSerial(
          path,
          (send) => new Stm32BootloaderEmulator({ bootMode: inApp ? 'flash' : 'bootloader' }, send),
        );
        enterBootloader = () => sim.emulator.enterBootloader();
        running = sim;
      } else {
        const sim = await runEmulatorOnSerial(
          path,
          (send) => new EspRomEmulator({ chip, bootMode: inApp ? 'flash' : 'download' }, send),
        );
        enterBootloader = () => sim.emulator.enterDownloadMode();
        running = sim;
      }
    } catch (error) {
      io.err(`flash-sim: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    io.out(
      `flash-sim: emulated ${chip} ${inApp ? 'running its app (press Enter to enter the bootloader)' : 'in its bootloader'} on ${path}`,
    );
    if (inApp && process.stdin.isTTY) {
      process.stdin.once('data', () => {
        enterBootloader();
        io.out('flash-sim: in the bootloader now');
      });
    }
    const sim = running;
    const stopped = new Promise<void>((resolve) => {
      const stop = () => void sim.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await Promise.race([stopped, sim.closed]);
    process.stdin.pause();
    io.out('flash-sim: stopped');
    return 0;
  },
};
