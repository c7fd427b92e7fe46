// An ESP32 / ESP8266 serial bootloader in memory: the ROM loader's SLIP commands, then the flasher stub's dialect
// once esptool-js has uploaded the stub (MEM_BEGIN/DATA/END) — the stub code itself is not run, its behaviour is.
import { createHash } from 'node:crypto';
import { createInflate, constants as zlibConstants, type Inflate } from 'node:zlib';
import { SlipDecoder, slipEncode } from './slip.js';

export type EmulatedEspChip = 'esp32' | 'esp8266';

export interface EspEmulatorOptions {
  chip: EmulatedEspChip;
  /** Flash size in bytes (default 4 MB). */
  flashSize?: number;
  /** Six bytes; the OUI is Espressif's. */
  mac?: Uint8Array;
  /** `flash`: the board boots its app (BOOT not held) and never answers SYNC until `enterDownloadMode()`. */
  bootMode?: 'download' | 'flash';
  /** Flips one bit of what is written at this flash address (a failing flash cell, for verify tests). */
  corruptAt?: number;
}

const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
} as const;

/** ROM/stub error codes (esptool's names). */
const ERR = { INVALID_MESSAGE: 0x05, FAILED: 0x06, BAD_CRC: 0x07, FLASH_WRITE: 0x08, DEFLATE: 0x0b } as const;

interface ChipModel {
  magic: number;
  efuseBase: number;
  uartClkDiv: number;
  uartClkDivValue: number;
  spiBase: number;
  spiW0: number;
  /** Status bytes after the data in ROM responses (ESP32 ROM sends 4, ESP8266 ROM and the stubs 2). */
  romStatusBytes: number;
}

const models: Record<EmulatedEspChip, ChipModel> = {
  // 40 MHz crystal seen at 115200 baud: divider 347 (esptool-js derives the crystal from it).
  esp32: {
    magic: 0x00f01d83,
    efuseBase: 0x3ff5a000,
    uartClkDiv: 0x3ff40014,
    uartClkDivValue: 347,
    spiBase: 0x3ff42000,
    spiW0: 0x80,
    romStatusBytes: 4,
  },
  // 26 MHz crystal, ESP8266 divides by 2: 52e6 / 115200 = 451.
  esp8266: {
    magic: 0xfff0c101,
    efuseBase: 0x3ff00050,
    uartClkDiv: 0x60000014,
    uartClkDivValue: 451,
    spiBase: 0x60000200,
    spiW0: 0x40,
    romStatusBytes: 2,
  },
};

const CHECKSUM_MAGIC = 0xef;
const SPI_CMD_USR = 1 << 18;
const SPIFLASH_RDID = 0x9f;

const u32 = (b: Uint8Array, at: number): number =>
  ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** JEDEC id of a Winbond part; the capacity byte is log2(size), which esptool-js maps to "4MB" etc. */
function flashIdFor(size: number): number {
  return (Math.round(Math.log2(size)) << 16) | (0x40 << 8) | 0xef;
}

interface Download {
  offset: number;
  blockSize: number;
  written: number;
  inflate?: Inflate;
}

export class EspRomEmulator {
  readonly chip: EmulatedEspChip;
  readonly flash: Uint8Array;
  readonly mac: Uint8Array;
  private readonly model: ChipModel;
  private readonly regs = new Map<number, number>();
  private readonly decoder = new SlipDecoder();
  private bootMode: 'download' | 'flash';
  private stub = false;
  private download: Download | undefined;
  private pendingRead: { addr: number; size: number; sector: number; sent: number } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly corruptAt: number | undefined;
  /** Commands seen, in order (tests and the demo log read this). */
  readonly seen: number[] = [];
  baudRate = 115200;

  /** `send` carries bytes to the host; it is the serial line's write. */
  constructor(
    options: EspEmulatorOptions,
    private readonly send: (bytes: Uint8Array) => void,
  ) {
    this.chip = options.chip;
    this.model = models[options.chip];
    this.flash = new Uint8Array(options.flashSize ?? 4 * 1024 * 1024).fill(0xff);
    this.mac = options.mac ?? Uint8Array.from([0x24, 0x0a, 0xc4, 0x12, 0x34, 0x56]);
    this.bootMode = options.bootMode ?? 'download';
    this.corruptAt = options.corruptAt;
    this.resetRegisters();
  }

  get inStub(): boolean {
    return this.stub;
  }

  /** What a user does by holding BOOT and tapping RESET: the ROM prints its banner and waits for SYNC. */
  enterDownloadMode(): void {
    this.bootMode = 'download';
    this.stub = false;
    this.download = undefined;
    this.send(
      new TextEncoder().encode(
        'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n',
      ),
    );
  }

  receive(bytes: Uint8Array): void {
    if (this.bootMode === 'flash') {
      // The app is running: it prints its boot log, the loader commands fall on deaf ears.
      this.send(
        new TextEncoder().encode('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nhello from the app\r\n'),
      );
      return;
    }
    for (const frame of this.decoder.push(bytes)) {
      // Commands are handled one after another; a compressed block waits for the inflater before the next.
      this.queue = this.queue.then(() => this.handle(frame)).catch(() => undefined);
    }
  }

  /** Resolves when every received command has been answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  private resetRegisters(): void {
    const m = this.model;
    this.regs.clear();
    this.regs.set(0x40001000, m.magic);
    this.regs.set(m.uartClkDiv, m.uartClkDivValue);
    const mac = this.mac;
    if (this.chip === 'esp32') {
      // EFUSE_BLK0 words 1-2 hold the factory MAC; word 3 bit 9 = package ESP32-D0WD.
      this.regs.set(m.efuseBase + 4, ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0);
      this.regs.set(m.efuseBase + 8, (mac[0]! << 8) | mac[1]!);
      this.regs.set(m.efuseBase + 12, 1 << 9);
    } else {
      // ESP8266: word 0 top byte = mac[5], word 1 = mac[3..4] with OUI selector 0 (18:fe:34), word 3 = OUI.
      this.regs.set(m.efuseBase, (mac[5]! << 24) >>> 0);
      this.regs.set(m.efuseBase + 4, (mac[3]! << 8) | mac[4]!);
      this.regs.set(m.efuseBase + 12, (mac[0]! << 16) | (mac[1]! << 8) | mac[2]!);
    }
  }

  private respond(op: number, value: number, data: number[] = [], status = 0, error = 0): void {
    const statusBytes = this.stub ? 2 : this.model.romStatusBytes;
    const body = [...data, status, error, ...new Array<number>(statusBytes - 2).fill(0)];
    const packet = [0x01, op, body.length & 0xff, body.length >> 8, ...le32(value), ...body];
    this.send(slipEncode(Uint8Array.from(packet)));
  }

  private fail(op: number, error: number): void {
    this.respond(op, 0, [], 1, error);
  }

  private async handle(frame: Uint8Array): Promise<void> {
    if (this.pendingRead) {
      this.readAck(frame);
      return;
    }
    if (frame.length < 8 || frame[0] !== 0x00) return;
    const op = frame[1]!;
    const size = frame[2]! | (frame[3]! << 8);
    const checksum = u32(frame, 4);
    const data = frame.subarray(8, 8 + size);
    this.seen.push(op);
    if (data.length !== size) {
      this.fail(op, ERR.INVALID_MESSAGE);
      return;
    }
    switch (op) {
      case OP.SYNC:
        // Eight answers (esptool-js reads all eight); value 0 tells it the stub is still running from before.
        for (let i = 0; i < 8; i++) this.respond(op, this.stub ? 0 : 0x20120707);
        return;
      case OP.READ_REG:
        this.respond(op, this.readRegister(u32(data, 0)));
        return;
      case OP.WRITE_REG:
        this.writeRegister(u32(data, 0), u32(data, 4), u32(data, 8));
        this.respond(op, 0);
        return;
      case OP.SPI_ATTACH:
      case OP.SPI_SET_PARAMS:
        this.respond(op, 0);
        return;
      case OP.MEM_BEGIN:
      case OP.MEM_DATA:
        if (op === OP.MEM_DATA && !this.checksumOk(data.subarray(16), checksum)) {
          this.fail(op, ERR.BAD_CRC);
          return;
        }
        this.respond(op, 0);
        return;
      case OP.MEM_END:
        this.respond(op, 0);
        if (u32(data, 0) === 0) {
          // Entry point given: the uploaded stub starts and greets the host.
          this.stub = true;
          this.send(slipEncode(new TextEncoder().encode('OHAI')));
        }
        return;
      case OP.CHANGE_BAUDRATE:
        this.respond(op, 0);
        this.baudRate = u32(data, 0);
        return;
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        this.begin(op, data);
        return;
      case OP.FLASH_DATA:
        this.writeBlock(op, data, checksum);
        return;
      case OP.FLASH_DEFL_DATA:
        await this.inflateBlock(op, data, checksum);
        return;
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        this.download?.inflate?.destroy();
        this.download = undefined;
        this.respond(op, 0);
        return;
      case OP.SPI_FLASH_MD5:
        this.md5(op, u32(data, 0), u32(data, 4));
        return;
      case OP.ERASE_FLASH:
        if (!this.stub) break;
        this.flash.fill(0xff);
        this.respond(op, 0);
        return;
      case OP.ERASE_REGION: {
        if (!this.stub) break;
        const [offset, length] = [u32(data, 0), u32(data, 4)];
        if (offset % 4096 !== 0 || length % 4096 !== 0 || offset + length > this.flash.length) {
          this.fail(op, ERR.FAILED);
          return;
        }
        this.flash.fill(0xff, offset, offset + length);
        this.respond(op, 0);
        return;
      }
      case OP.READ_FLASH: {
        if (!this.stub) break;
        const [addr, length, sector] = [u32(data, 0), u32(data, 4), u32(data, 8)];
        if (addr + length > this.flash.length || sector === 0) {
          this.fail(op, ERR.FAILED);
          return;
        }
        this.respond(op, 0);
        this.pendingRead = { addr, size: length, sector, sent: 0 };
        this.sendReadSector();
        return;
      }
    }
    // An unknown command (or a stub-only one in the ROM): the ROM's "invalid message" answer under another op.
    this.respond(0x00, 0, [], 1, ERR.INVALID_MESSAGE);
  }

  private checksumOk(payload: Uint8Array, checksum: number): boolean {
    let state = CHECKSUM_MAGIC;
    for (const b of payload) state ^= b;
    return state === (checksum & 0xff);
  }

  private readRegister(addr: number): number {
    return this.regs.get(addr) ?? 0;
  }

  private writeRegister(addr: number, value: number, mask: number): void {
    const merged = ((this.readRegister(addr) & ~mask) | (value & mask)) >>> 0;
    const m = this.model;
    if (addr === m.spiBase && merged & SPI_CMD_USR) {
      // A user SPI command: the one esptool-js sends is RDID (flash id), the answer lands in W0.
      const command = this.readRegister(m.spiBase + 0x24) & 0xff;
      if (command === SPIFLASH_RDID) this.regs.set(m.spiBase + m.spiW0, flashIdFor(this.flash.length));
      this.regs.set(addr, (merged & ~SPI_CMD_USR) >>> 0);
      return;
    }
    this.regs.set(addr, merged);
  }

  private begin(op: number, data: Uint8Array): void {
    const [eraseSize, , blockSize, offset] = [u32(data, 0), u32(data, 4), u32(data, 8), u32(data, 12)];
    if (offset + eraseSize > this.flash.length || blockSize === 0) {
      this.fail(op, ERR.FAILED);
      return;
    }
    this.flash.fill(0xff, offset, offset + eraseSize);
    this.download?.inflate?.destroy();
    this.download = { offset, blockSize, written: 0 };
    if (op === OP.FLASH_DEFL_BEGIN) this.download.inflate = createInflate();
    this.respond(op, 0);
  }

  /** NOR flash: a write can only clear bits. */
  private program(at: number, bytes: Uint8Array): boolean {
    if (at + bytes.length > this.flash.length) return false;
    for (let i = 0; i < bytes.length; i++) {
      let b = bytes[i]!;
      if (at + i === this.corruptAt) b ^= 0x01;
      this.flash[at + i]! &= b;
    }
    return true;
  }

  private writeBlock(op: number, data: Uint8Array, checksum: number): void {
    const download = this.download;
    const payload = data.subarray(16);
    if (!download || download.inflate) {
      this.fail(op, ERR.FAILED);
      return;
    }
    if (!this.checksumOk(payload, checksum)) {
      this.fail(op, ERR.BAD_CRC);
      return;
    }
    const seq = u32(data, 4);
    if (!this.program(download.offset + seq * download.blockSize, payload)) {
      this.fail(op, ERR.FLASH_WRITE);
      return;
    }
    this.respond(op, 0);
  }

  private async inflateBlock(op: number, data: Uint8Array, checksum: number): Promise<void> {
    const download = this.download;
    const inflate = download?.inflate;
    const payload = data.subarray(16);
    if (!download || !inflate) {
      this.fail(op, ERR.FAILED);
      return;
    }
    if (!this.checksumOk(payload, checksum)) {
      this.fail(op, ERR.BAD_CRC);
      return;
    }
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => void chunks.push(chunk);
    inflate.on('data', onData);
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (): void => resolve(false);
      inflate.once('error', onError);
      inflate.write(payload);
      inflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        inflate.off('error', onError);
        resolve(true);
      });
    });
    inflate.off('data', onData);
    if (!ok) {
      this.download = undefined;
      this.fail(op, ERR.DEFLATE);
      return;
    }
    const out = Buffer.concat(chunks);
    if (!this.program(download.offset + download.written, out)) {
      this.fail(op, ERR.FLASH_WRITE);
      return;
    }
    download.written += out.length;
    this.respond(op, 0);
  }

  private md5(op: number, addr: number, size: number): void {
    if (addr + size > this.flash.length) {
      this.fail(op, ERR.FAILED);
      return;
    }
    const digest = createHash('md5')
      .update(this.flash.subarray(addr, addr + size))
      .digest();
    // The ROM answers in hex text, the stub in 16 raw bytes.
    const body = this.stub ? [...digest] : [...new TextEncoder().encode(digest.toString('hex'))];
    this.respond(op, 0, body);
  }

  private sendReadSector(): void {
    const read = this.pendingRead;
    if (!read) return;
    const length = Math.min(read.sector, read.size - read.sent);
    this.send(slipEncode(this.flash.subarray(read.addr + read.sent, read.addr + read.sent + length)));
    read.sent += length;
  }

  private readAck(frame: Uint8Array): void {
    const read = this.pendingRead;
    if (!read || frame.length !== 4) return;
    if (u32(frame, 0) < read.sent) return;
    if (read.sent < read.size) {
      this.sendReadSector();
      return;
    }
    this.pendingRead = undefined;
    this.send(
      slipEncode(
        createHash('md5')
          .update(this.flash.subarray(read.addr, read.addr + read.size))
          .digest(),
      ),
    );
  }
}
