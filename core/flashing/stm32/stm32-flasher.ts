// Flashing an STM32 through its system-memory USART bootloader (AN3155): init, Get, Get ID, unprotect when
// asked, erase, write in 256-byte blocks, read back to verify, Go. Boot0/reset through DTR/RTS when wired.
import type { Clock } from '../../clock.js';
import type { OpenSerialLine, SerialLine } from '../../serial/index.js';
import {
  ACK,
  CMD,
  INIT,
  MASS_ERASE_EXTENDED,
  MASS_ERASE_STANDARD,
  NACK,
  addressFrame,
  commandFrame,
  extendedEraseFrame,
  partOf,
  standardEraseFrame,
  writeFrame,
  type Stm32Part,
} from './an3155.js';
import { padTo4 } from '../pad.js';

/**
 * `rts-dtr`: DTR drives BOOT0 (high = bootloader), RTS drives NRST (asserted = in reset), the usual wiring of
 * USB-UART boards for STM32; `manual`: the user sets BOOT0 and presses RESET.
 */
export type Stm32ResetMode = 'manual' | 'rts-dtr';

export interface Stm32ConnectOptions {
  path: string;
  baudRate: number;
  /**
   * AN3155 asks for 8 data bits, even parity (8E1), and real hardware needs it. A pseudo-terminal cannot take
   * parity flags from every tool (stm32flash refuses 8E1 on a pty), so the line format is configurable.
   */
  parity: 'even' | 'none';
  reset: Stm32ResetMode;
  log?: (line: string) => void;
  /** Longest wait for one answer (default 1 s; a mass erase gets 30 s). */
  timeoutMs?: number;
}

export interface Stm32Info {
  bootloaderVersion: string;
  pid: number;
  part: string;
  commands: number[];
  flashStart: number;
  flashSize: number | null;
}

export interface Stm32Image {
  address: number;
  data: Uint8Array;
}

export interface Stm32FlashOptions extends Stm32ConnectOptions {
  images: Stm32Image[];
  /** Mass erase instead of the pages the images cover. */
  eraseAll: boolean;
  verify: boolean;
  readoutUnprotect?: boolean;
  writeUnprotect?: boolean;
  /** Jump to this address afterwards (the flash start by default; null = stay in the bootloader). */
  go?: number | null;
  onProgress?: (p: { image: number; written: number; total: number; phase: 'write' | 'verify' }) => void;
}

export class Stm32FlashError extends Error {
  constructor(
    readonly kind: 'sync' | 'nack' | 'verify' | 'lost' | 'protected' | 'failed' | 'wrong-chip',
    message: string,
  ) {
    super(message);
    this.name = 'Stm32FlashError';
  }
}

/** Bytes from the line, read with timeouts on the injected clock. */
class ByteReader {
  private buffered: number[] = [];
  private waiter: (() => void) | undefined;
  closedWith: Error | undefined;

  constructor(
    line: SerialLine,
    private readonly clock: Clock,
  ) {
    line.onData((bytes) => {
      for (const b of bytes) this.buffered.push(b);
      this.waiter?.();
    });
    line.onClose((error) => {
      this.closedWith = error ?? new Error('the port closed');
      this.waiter?.();
    });
  }

  drop(): void {
    this.buffered = [];
  }

  async read(count: number, timeoutMs: number, what: string): Promise<Uint8Array> {
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      timedOut = true;
      this.waiter?.();
    }, timeoutMs);
    try {
      while (this.buffered.length < count) {
        if (this.closedWith) throw new Stm32FlashError('lost', `the port went away (${this.closedWith.message})`);
        if (timedOut) throw new Stm32FlashError('sync', `no answer to ${what} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => (this.waiter = resolve));
        this.waiter = undefined;
      }
    } finally {
      timer.cancel();
    }
    return Uint8Array.from(this.buffered.splice(0, count));
  }
}

const hex = (n: number, width = 8): string => `0x${n.toString(16).padStart(width, '0')}`;
const BLOCK = 256;

export class Stm32Session {
  private constructor(
    private readonly line: SerialLine,
    private readonly reader: ByteReader,
    private readonly clock: Clock,
    private readonly options: Stm32ConnectOptions,
  ) {}

  static async open(options: Stm32ConnectOptions, openLine: OpenSerialLine, clock: Clock): Promise<Stm32Session> {
    const line = await openLine({
      path: options.path,
      baudRate: options.baudRate,
      dataBits: 8,
      parity: options.parity,
      stopBits: 1,
      flowControl: 'none',
    });
    return new Stm32Session(line, new ByteReader(line, clock), clock, options);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 1000;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /** A pty or an adapter without modem lines refuses the ioctl: that is the manual wiring. */
  private async signals(signals: { rts?: boolean; dtr?: boolean }): Promise<boolean> {
    try {
      await this.line.setSignals(signals);
      return true;
    } catch {
      return false;
    }
  }

  /** Boot0 high and a reset pulse, when DTR/RTS are wired to them. */
  async enterBootloader(): Promise<void> {
    if (this.options.reset !== 'rts-dtr') return;
    const wired = (await this.signals({ dtr: true, rts: true })) && (await this.signals({ rts: false }));
    if (!wired) this.log('RTS/DTR are not available on this port: set BOOT0 and press RESET by hand');
    await this.sleep(50);
  }

  private async ack(what: string, timeoutMs = this.timeoutMs): Promise<void> {
    const [b] = await this.reader.read(1, timeoutMs, what);
    if (b === ACK) return;
    if (b === NACK) throw new Stm32FlashError('nack', `the bootloader refused ${what} (NACK)`);
    throw new Stm32FlashError('failed', `unexpected byte ${hex(b ?? 0, 2)} in answer to ${what}`);
  }

  private async send(bytes: Uint8Array): Promise<void> {
    if (this.reader.closedWith)
      throw new Stm32FlashError('lost', `the port went away (${this.reader.closedWith.message})`);
    try {
      await this.line.write(bytes);
    } catch (error) {
      throw new Stm32FlashError(
        'lost',
        `writing to the port failed (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  private async command(cmd: number, what: string): Promise<void> {
    await this.send(commandFrame(cmd));
    await this.ack(what);
  }

  /** 0x7F autobaud; a NACK means the bootloader was already initialised by an earlier run. */
  async init(attempts = 3): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      this.reader.drop();
      await this.send(Uint8Array.from([INIT]));
      try {
        const [b] = await this.reader.read(1, this.timeoutMs, 'the 0x7F init');
        if (b === ACK || b === NACK) return;
      } catch (error) {
        if (error instanceof Stm32FlashError && error.kind === 'lost') throw error;
      }
    }
    throw new Stm32FlashError(
      'sync',
      `no STM32 bootloader answers on ${this.options.path}: set BOOT0 to 1 (jumper or button), press RESET, then retry` +
        (this.options.parity === 'none' ? ' (the line is 8N1; real hardware needs 8E1)' : ''),
    );
  }

  async identify(): Promise<Stm32Info> {
    await this.command(CMD.GET, 'Get');
    const [n] = await this.reader.read(1, this.timeoutMs, 'Get');
    const body = await this.reader.read(n! + 1, this.timeoutMs, 'Get');
    await this.ack('Get');
    const version = body[0]!;
    const commands = [...body.subarray(1)];
    await this.command(CMD.GET_ID, 'Get ID');
    const [len] = await this.reader.read(1, this.timeoutMs, 'Get ID');
    const id = await this.reader.read(len! + 1, this.timeoutMs, 'Get ID');
    await this.ack('Get ID');
    const pid = (id[0]! << 8) | id[1]!;
    const part = partOf(pid);
    return {
      bootloaderVersion: `${version >> 4}.${version & 0x0f}`,
      pid,
      part: part?.name ?? `unknown STM32 (PID ${hex(pid, 3)})`,
      commands,
      flashStart: part?.flashStart ?? 0x08000000,
      flashSize: part?.flashSize ?? null,
    };
  }

  async readMemory(address: number, length: number): Promise<Uint8Array> {
    await this.command(CMD.READ_MEMORY, `Read Memory at ${hex(address)}`);
    await this.send(addressFrame(address));
    await this.ack(`the address ${hex(address)}`);
    await this.send(Uint8Array.from([length - 1, (length - 1) ^ 0xff]));
    await this.ack(`a read of ${length} bytes`);
    return this.reader.read(length, this.timeoutMs, `a read of ${length} bytes`);
  }

  async writeMemory(address: number, data: Uint8Array): Promise<void> {
    await this.command(CMD.WRITE_MEMORY, `Write Memory at ${hex(address)}`);
    await this.send(addressFrame(address));
    await this.ack(`the address ${hex(address)}`);
    await this.send(writeFrame(data));
    await this.ack(`the write at ${hex(address)}`);
  }

  async erase(info: Stm32Info, pages: number[] | 'all'): Promise<void> {
    const extended = info.commands.includes(CMD.EXTENDED_ERASE);
    await this.command(extended ? CMD.EXTENDED_ERASE : CMD.ERASE, 'Erase');
    const frame =
      pages === 'all'
        ? extended
          ? MASS_ERASE_EXTENDED
          : MASS_ERASE_STANDARD
        : extended
          ? extendedEraseFrame(pages)
          : standardEraseFrame(pages);
    await this.send(frame);
    await this.ack(pages === 'all' ? 'the mass erase' : `the erase of ${pages.length} pages`, 30_000);
  }

  /** Both unprotect commands reset the part: the bootloader is initialised again. */
  async unprotect(which: 'readout' | 'write'): Promise<void> {
    const cmd = which === 'readout' ? CMD.READOUT_UNPROTECT : CMD.WRITE_UNPROTECT;
    await this.command(cmd, `${which} unprotect`);
    await this.ack(`${which} unprotect`, 30_000);
    this.log(which === 'readout' ? 'Read protection removed (the flash was mass-erased)' : 'Write protection removed');
    await this.sleep(100);
    await this.init(5);
  }

  async go(address: number): Promise<void> {
    await this.command(CMD.GO, 'Go');
    await this.send(addressFrame(address));
    await this.ack(`Go to ${hex(address)}`);
  }

  /** Boot0 low and a reset pulse, so the board starts its new firmware on the next power-up too. */
  async leaveBootloader(): Promise<void> {
    if (this.options.reset !== 'rts-dtr') return;
    if ((await this.signals({ dtr: false, rts: true })) && (await this.signals({ rts: false }))) await this.sleep(50);
  }

  close(): Promise<void> {
    return this.line.close();
  }
}

function pagesFor(part: Stm32Part, images: Stm32Image[]): number[] {
  const pages = new Set<number>();
  for (const image of images) {
    const first = Math.floor((image.address - part.flashStart) / part.pageSize);
    const last = Math.floor((image.address + image.data.length - 1 - part.flashStart) / part.pageSize);
    for (let p = first; p <= last; p++) pages.add(p);
  }
  return [...pages].sort((a, b) => a - b);
}

export interface Stm32FlashResult {
  info: Stm32Info;
  verified: boolean;
}

export async function connectStm32(
  options: Stm32ConnectOptions,
  openLine: OpenSerialLine,
  clock: Clock,
): Promise<{ session: Stm32Session; info: Stm32Info }> {
  const session = await Stm32Session.open(options, openLine, clock);
  try {
    await session.enterBootloader();
    await session.init();
    return { session, info: await session.identify() };
  } catch (error) {
    await session.close();
    throw error;
  }
}

export async function flashStm32(
  options: Stm32FlashOptions,
  openLine: OpenSerialLine,
  clock: Clock,
): Promise<Stm32FlashResult> {
  const log = options.log ?? (() => undefined);
  const { session, info: first } = await connectStm32(options, openLine, clock);
  let info = first;
  try {
    log(`Bootloader ${info.bootloaderVersion}, ${info.part}`);
    if (options.readoutUnprotect) {
      await session.unprotect('readout');
      info = await session.identify();
    }
    if (options.writeUnprotect) {
      await session.unprotect('write');
      info = await session.identify();
    }
    const part = partOf(info.pid);
    for (const image of options.images) {
      const end = image.address + image.data.length;
      if (part && (image.address < part.flashStart || end > part.flashStart + part.flashSize)) {
        throw new Stm32FlashError(
          'failed',
          `the image at ${hex(image.address)} (${image.data.length} bytes) is outside the flash of ${part.name}`,
        );
      }
    }
    try {
      if (options.eraseAll || !part) {
        log('Mass erase');
        await session.erase(info, 'all');
      } else if (options.images.length > 0) {
        const pages = pagesFor(part, options.images);
        log(`Erasing ${pages.length} pages of ${part.pageSize} bytes`);
        // Standard Erase takes at most 255 pages at once.
        for (let i = 0; i < pages.length; i += 255) await session.erase(info, pages.slice(i, i + 255));
      }
    } catch (error) {
      if (error instanceof Stm32FlashError && error.kind === 'nack') {
        throw new Stm32FlashError(
          'protected',
          'the erase was refused: the flash is probably read- or write-protected; retry with unprotect',
        );
      }
      throw error;
    }
    for (const [index, image] of options.images.entries()) {
      // Flash is written in words: the last block is padded with 0xFF.
      const padded = padTo4(image.data);
      for (let at = 0; at < padded.length; at += BLOCK) {
        await session.writeMemory(image.address + at, padded.subarray(at, at + BLOCK));
        options.onProgress?.({
          image: index,
          written: Math.min(at + BLOCK, image.data.length),
          total: image.data.length,
          phase: 'write',
        });
      }
      log(`Wrote ${image.data.length} bytes at ${hex(image.address)}`);
    }
    if (options.verify) {
      for (const [index, image] of options.images.entries()) {
        for (let at = 0; at < image.data.length; at += BLOCK) {
          const length = Math.min(BLOCK, image.data.length - at);
          const back = await session.readMemory(image.address + at, length);
          const expected = image.data.subarray(at, at + length);
          const bad = back.findIndex((b, i) => b !== expected[i]);
          if (bad >= 0) {
            throw new Stm32FlashError(
              'verify',
              `verify failed at ${hex(image.address + at + bad)}: read ${hex(back[bad]!, 2)}, expected ${hex(expected[bad]!, 2)}`,
            );
          }
          options.onProgress?.({ image: index, written: at + length, total: image.data.length, phase: 'verify' });
        }
      }
      log('Verified');
    }
    const go = options.go === undefined ? info.flashStart : options.go;
    if (go !== null) {
      await session.go(go);
      log(`Started the firmware at ${hex(go)}`);
    }
    await session.leaveBootloader();
    return { info, verified: options.verify };
  } finally {
    await session.close();
  }
}
