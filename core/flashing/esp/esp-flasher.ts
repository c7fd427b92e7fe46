// Flashing ESP32 / ESP8266 with Espressif's esptool-js over the Web Serial adapter: sync, detect, stub, baud,
// write (compressed), MD5 verify, erase, hard reset. The protocol is esptool-js's; this file only drives it.
import { createHash } from 'node:crypto';
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { NodeWebSerialPort, PortLostError } from './web-serial-port.js';
import { padTo4 } from '../pad.js';

export type EspChipChoice = 'auto' | 'esp32' | 'esp8266';
/** `auto`: RTS/DTR reset into the bootloader (boards with auto-reset wiring); `manual`: the user holds BOOT. */
export type EspResetMode = 'auto' | 'manual' | 'usb-jtag';

export interface EspConnectOptions {
  path: string;
  chip: EspChipChoice;
  /** Baud rate after sync; the ROM always starts at 115200. */
  baudRate: number;
  reset: EspResetMode;
  /** Sync rounds before giving up (esptool's default is 7). */
  connectAttempts?: number;
  /** Use the ROM loader only; erase commands then are unavailable. */
  noStub?: boolean;
  log?: (line: string) => void;
}

export interface EspChipInfo {
  chip: 'esp32' | 'esp8266';
  description: string;
  features: string[];
  crystalMHz: number;
  mac: string;
  flashId: number;
  flashSize: string | null;
}

export interface EspImage {
  offset: number;
  data: Uint8Array;
}

export interface EspFlashOptions extends EspConnectOptions {
  images: EspImage[];
  eraseAll: boolean;
  eraseRegions?: { offset: number; size: number }[];
  verify: boolean;
  compress?: boolean;
  /** Reset into the new firmware afterwards (RTS pulse); else stay in the loader. */
  hardReset: boolean;
  onProgress?: (p: { image: number; written: number; total: number }) => void;
}

export class EspFlashError extends Error {
  constructor(
    readonly kind: 'sync' | 'boot-mode' | 'wrong-chip' | 'verify' | 'lost' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'EspFlashError';
  }
}

const ROM_BAUD = 115200;
const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

interface Session {
  port: NodeWebSerialPort;
  transport: Transport;
  loader: ESPLoader;
  lost: Promise<never>;
  received: () => string;
  stopLost: () => void;
}

function openSession(options: EspConnectOptions): Session {
  const port = new NodeWebSerialPort(options.path);
  const log = options.log ?? (() => undefined);
  let pending = '';
  const terminal: IEspLoaderTerminal = {
    clean: () => undefined,
    write: (data: string) => {
      pending += data;
    },
    writeLine: (data: string) => {
      const line = (pending + data).trim();
      pending = '';
      // esptool-js's banner ("esptool.js", "Serial port " + an empty Web Serial id) says nothing here.
      if (line && line !== 'esptool.js' && line !== 'Serial port') log(line);
    },
  };
  // esptool-js's Transport types its device as a Web Serial SerialPort; the adapter provides that shape.
  const transport = new Transport(port, false);
  // Transport prints some trace lines ("readLoop exited") to the console even with tracing off: silenced.
  transport.trace = () => undefined;
  const loader = new ESPLoader({ transport, baudrate: options.baudRate, romBaudrate: ROM_BAUD, terminal });
  let stopLost = (): void => undefined;
  const lost = new Promise<never>((_, reject) => {
    stopLost = port.onLost((error) => reject(error));
  });
  lost.catch(() => undefined);
  return { port, transport, loader, lost, received: () => port.recentText(), stopLost };
}

function chipName(loader: ESPLoader): string {
  const name = loader.chip.CHIP_NAME;
  if (name === 'ESP32') return 'esp32';
  if (name === 'ESP8266') return 'esp8266';
  return name;
}

async function connect(session: Session, options: EspConnectOptions): Promise<EspChipInfo> {
  const { loader } = session;
  const mode = options.reset === 'manual' ? 'no_reset' : options.reset === 'usb-jtag' ? 'usb_reset' : 'default_reset';
  try {
    await loader.connect(mode, options.connectAttempts ?? 7, true);
  } catch (error) {
    const seen = session.received();
    const boot = /boot:(0x[0-9a-f]+)(?: \(([^)]*)\))?/i.exec(seen);
    if (boot && !/waiting for download/i.test(seen)) {
      throw new EspFlashError(
        'boot-mode',
        `the board booted its firmware (boot:${boot[1]}${boot[2] ? ` ${boot[2]}` : ''}) instead of the serial bootloader: ` +
          'hold BOOT (GPIO0 low), tap RESET (EN), release BOOT, then retry with the manual boot mode',
      );
    }
    throw new EspFlashError(
      'sync',
      `no answer from an ESP bootloader on ${options.path} (${error instanceof Error ? error.message : String(error)}): ` +
        'check the port and the cable; on a board without auto-reset hold BOOT, tap RESET and retry with manual boot',
    );
  }
  const detected = chipName(loader);
  if (detected !== 'esp32' && detected !== 'esp8266') {
    throw new EspFlashError('wrong-chip', `found ${loader.chip.CHIP_NAME}; the workbench flashes ESP32 and ESP8266`);
  }
  if (options.chip !== 'auto' && options.chip !== detected) {
    throw new EspFlashError(
      'wrong-chip',
      `expected ${options.chip.toUpperCase()} but the board is ${loader.chip.CHIP_NAME}`,
    );
  }
  const description = await loader.chip.getChipDescription(loader);
  const features = (await loader.chip.getChipFeatures(loader)).map((f) => f.trim());
  const crystalMHz = await loader.chip.getCrystalFreq(loader);
  const mac = await loader.chip.readMac(loader);
  if (!options.noStub) await loader.runStub();
  if (options.baudRate !== ROM_BAUD) await loader.changeBaud();
  const flashId = await loader.readFlashId();
  return {
    chip: detected,
    description,
    features,
    crystalMHz,
    mac,
    flashId,
    flashSize: loader.DETECTED_FLASH_SIZES[(flashId >> 16) & 0xff] ?? null,
  };
}

async function withSession<T>(options: EspConnectOptions, work: (s: Session) => Promise<T>): Promise<T> {
  const session = openSession(options);
  try {
    return await Promise.race([work(session), session.lost]);
  } catch (error) {
    if (error instanceof EspFlashError) throw error;
    if (error instanceof PortLostError) throw new EspFlashError('lost', `${error.message}; the flash was stopped`);
    const message = error instanceof Error ? error.message : String(error);
    if (/MD5 of file does not match/i.test(message)) {
      throw new EspFlashError('verify', 'verify failed: the MD5 of the flash differs from the image');
    }
    throw new EspFlashError('failed', message);
  } finally {
    session.stopLost();
    // Transport.disconnect waits for its stream locks; after an unplug they may never be released.
    await Promise.race([
      session.transport.disconnect().catch(() => undefined),
      new Promise((r) => setTimeout(r, 1000)),
    ]);
    await session.port.close();
  }
}

/** Syncs, identifies the chip, reads MAC and flash id, and lets the port go. */
export function detectEsp(options: EspConnectOptions): Promise<EspChipInfo> {
  return withSession(options, (s) => connect(s, { ...options, noStub: true, baudRate: ROM_BAUD }));
}

export interface EspFlashResult {
  info: EspChipInfo;
  /** Hex MD5 of each image as verified on the chip (null when not verified). */
  verified: (string | null)[];
}

export function flashEsp(options: EspFlashOptions): Promise<EspFlashResult> {
  return withSession(options, async (session) => {
    const { loader } = session;
    const info = await connect(session, options);
    if ((options.eraseAll || options.eraseRegions?.length) && !loader.IS_STUB) {
      throw new EspFlashError('failed', 'erasing needs the flasher stub; run without the ROM-only option');
    }
    if (options.eraseAll) await loader.eraseFlash();
    for (const region of options.eraseRegions ?? []) {
      const pkt = new Uint8Array(8);
      new DataView(pkt.buffer).setUint32(0, region.offset, true);
      new DataView(pkt.buffer).setUint32(4, region.size, true);
      options.log?.(`Erasing ${region.size} bytes at 0x${region.offset.toString(16)}`);
      await loader.checkCommand('erase region', loader.ESP_ERASE_REGION, pkt, 0, 0, loader.CHIP_ERASE_TIMEOUT);
    }
    const sizes = options.images.map((i) => i.data.length);
    if (options.images.length > 0) {
      await loader.writeFlash({
        fileArray: options.images.map((i) => ({ address: i.offset, data: i.data })),
        flashMode: 'keep',
        flashFreq: 'keep',
        flashSize: 'keep',
        eraseAll: false,
        compress: options.compress ?? true,
        // esptool-js counts compressed bytes sent; progress is reported in image bytes.
        reportProgress: (image, sent, total) =>
          options.onProgress?.({
            image,
            written: total === 0 ? 0 : Math.round(((sizes[image] ?? 0) * sent) / total),
            total: sizes[image] ?? 0,
          }),
        // esptool-js hex-encodes the ROM's answer, which is already hex text: without the stub we compare ourselves.
        ...(options.verify && loader.IS_STUB ? { calculateMD5Hash: md5Hex } : {}),
      });
      if (options.verify && !loader.IS_STUB) {
        for (const image of options.images) await verifyWithRom(loader, image, options.log);
      }
    }
    if (options.hardReset) await loader.after('hard_reset', false);
    const verified = options.images.map((i) => (options.verify ? md5Hex(padTo4(i.data)) : null));
    return { info, verified };
  });
}

/** SPI_FLASH_MD5 through the ROM: the answer is 32 hex characters. */
async function verifyWithRom(loader: ESPLoader, image: EspImage, log?: (line: string) => void): Promise<void> {
  const data = padTo4(image.data);
  const pkt = new Uint8Array(16);
  const view = new DataView(pkt.buffer);
  view.setUint32(0, image.offset, true);
  view.setUint32(4, data.length, true);
  const timeout = loader.timeoutPerMb(loader.MD5_TIMEOUT_PER_MB, data.length);
  const answer = await loader.checkCommand('calculate md5sum', loader.ESP_SPI_FLASH_MD5, pkt, 0, 32, timeout);
  const onChip = typeof answer === 'number' ? '' : new TextDecoder().decode(answer).toLowerCase();
  const expected = md5Hex(data);
  log?.(`Flash md5: ${onChip}`);
  if (onChip !== expected)
    throw new EspFlashError(
      'verify',
      `verify failed at 0x${image.offset.toString(16)}: the MD5 of the flash differs from the image`,
    );
  log?.('Hash of data verified.');
}
