// An STM32 system-memory USART bootloader (AN3155) with its flash in memory, fed byte by byte.
import { ACK, CMD, INIT, NACK, parseAddressFrame, partOf, xorOf, type Stm32Part } from './an3155.js';

export interface Stm32EmulatorOptions {
  /** Product id (default 0x410, STM32F10xxx medium density, a "Blue Pill"). */
  pid?: number;
  /** Bootloader version byte (0x22 on F1). */
  version?: number;
  /** Offer Extended Erase (0x44) instead of Erase (0x43), as newer parts do. */
  extendedErase?: boolean;
  readoutProtected?: boolean;
  writeProtected?: boolean;
  /** `flash`: BOOT0 is low, the board runs its app and ignores 0x7F until `enterBootloader()`. */
  bootMode?: 'bootloader' | 'flash';
  /** Flips one bit of what is written at this address (a failing flash cell, for verify tests). */
  corruptAt?: number;
}

const RAM_START = 0x20000000;
const RAM_SIZE = 20 * 1024;
/** The bootloader itself uses the first 512 bytes of RAM. */
const RAM_WRITABLE_FROM = RAM_START + 0x200;

type Step = { need: number; then: (bytes: Uint8Array) => void };

export class Stm32BootloaderEmulator {
  readonly part: Stm32Part;
  readonly flash: Uint8Array;
  readonly ram = new Uint8Array(RAM_SIZE);
  private readonly version: number;
  private readonly extendedErase: boolean;
  private mode: 'reset' | 'command' | 'running';
  private step: Step | undefined;
  private buffer: number[] = [];
  readoutProtected: boolean;
  writeProtected: boolean;
  /** Address of the last Go, for tests and the demo log. */
  startedAt: number | undefined;
  readonly commands: number[] = [];
  private readonly corruptAt: number | undefined;

  constructor(
    options: Stm32EmulatorOptions,
    private readonly send: (bytes: Uint8Array) => void,
  ) {
    const part = partOf(options.pid ?? 0x410);
    if (!part) throw new Error(`no emulated STM32 part with PID 0x${(options.pid ?? 0).toString(16)}`);
    this.part = part;
    this.flash = new Uint8Array(part.flashSize).fill(0xff);
    this.version = options.version ?? 0x22;
    this.extendedErase = options.extendedErase ?? false;
    this.readoutProtected = options.readoutProtected ?? false;
    this.writeProtected = options.writeProtected ?? false;
    this.mode = options.bootMode === 'flash' ? 'running' : 'reset';
    this.corruptAt = options.corruptAt;
  }

  /** BOOT0 high and a reset: the system bootloader waits for 0x7F. */
  enterBootloader(): void {
    this.reset();
  }

  private reset(): void {
    this.mode = 'reset';
    this.step = undefined;
    this.buffer = [];
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.byte(b);
  }

  private reply(...bytes: number[]): void {
    this.send(Uint8Array.from(bytes));
  }

  private expect(need: number, then: (bytes: Uint8Array) => void): void {
    this.step = { need, then };
    this.buffer = [];
  }

  private byte(b: number): void {
    if (this.mode === 'running') return;
    if (this.mode === 'reset') {
      // Autobaud: the first 0x7F after reset; anything else is line noise.
      if (b === INIT) {
        this.mode = 'command';
        this.reply(ACK);
      }
      return;
    }
    if (!this.step) {
      // A second 0x7F after init: the bootloader is already synchronised and answers NACK.
      if (this.buffer.length === 0 && b === INIT) {
        this.reply(NACK);
        return;
      }
      this.buffer.push(b);
      if (this.buffer.length < 2) return;
      const [cmd, complement] = this.buffer as [number, number];
      this.buffer = [];
      if ((cmd ^ complement) !== 0xff) {
        this.reply(NACK);
        return;
      }
      this.commands.push(cmd);
      this.command(cmd);
      return;
    }
    this.buffer.push(b);
    if (this.buffer.length < this.step.need) return;
    const step = this.step;
    const bytes = Uint8Array.from(this.buffer);
    this.step = undefined;
    this.buffer = [];
    step.then(bytes);
  }

  private readable(address: number, length: number): Uint8Array | undefined {
    const { flashStart, flashSize } = this.part;
    if (address >= flashStart && address + length <= flashStart + flashSize) {
      return this.flash.subarray(address - flashStart, address - flashStart + length);
    }
    if (address >= RAM_START && address + length <= RAM_START + RAM_SIZE) {
      return this.ram.subarray(address - RAM_START, address - RAM_START + length);
    }
    return undefined;
  }

  /** The address frame that follows Read, Write and Go: ACK when it is valid and mapped, else NACK. */
  private address(minLength: number, then: (address: number) => void): void {
    this.expect(5, (frame) => {
      const address = parseAddressFrame(frame);
      if (address === null || !this.readable(address, minLength)) {
        this.reply(NACK);
        return;
      }
      this.reply(ACK);
      then(address);
    });
  }

  private get commandList(): number[] {
    return [
      CMD.GET,
      CMD.GET_VERSION,
      CMD.GET_ID,
      CMD.READ_MEMORY,
      CMD.GO,
      CMD.WRITE_MEMORY,
      this.extendedErase ? CMD.EXTENDED_ERASE : CMD.ERASE,
      CMD.WRITE_PROTECT,
      CMD.WRITE_UNPROTECT,
      CMD.READOUT_PROTECT,
      CMD.READOUT_UNPROTECT,
    ];
  }

  private command(cmd: number): void {
    const protectedCommands: number[] = [CMD.READ_MEMORY, CMD.WRITE_MEMORY, CMD.GO, CMD.ERASE, CMD.EXTENDED_ERASE];
    if (this.readoutProtected && protectedCommands.includes(cmd)) {
      this.reply(NACK);
      return;
    }
    switch (cmd) {
      case CMD.GET: {
        const list = this.commandList;
        this.reply(ACK, list.length, this.version, ...list, ACK);
        return;
      }
      case CMD.GET_VERSION:
        this.reply(ACK, this.version, 0x00, 0x00, ACK);
        return;
      case CMD.GET_ID:
        this.reply(ACK, 0x01, this.part.pid >> 8, this.part.pid & 0xff, ACK);
        return;
      case CMD.READ_MEMORY:
        this.reply(ACK);
        this.address(1, (address) =>
          this.expect(2, ([n, complement]) => {
            const data = this.readable(address, n! + 1);
            if ((n! ^ complement!) !== 0xff || !data) {
              this.reply(NACK);
              return;
            }
            this.send(Uint8Array.from([ACK, ...data]));
          }),
        );
        return;
      case CMD.GO:
        this.reply(ACK);
        this.address(4, (address) => {
          this.startedAt = address;
          this.mode = 'running';
        });
        return;
      case CMD.WRITE_MEMORY:
        this.reply(ACK);
        this.address(1, (address) =>
          this.expect(1, ([n]) => this.expect(n! + 2, (rest) => this.write(address, n!, rest))),
        );
        return;
      case CMD.ERASE:
      case CMD.EXTENDED_ERASE:
        if (cmd !== (this.extendedErase ? CMD.EXTENDED_ERASE : CMD.ERASE)) {
          this.reply(NACK);
          return;
        }
        this.reply(ACK);
        if (cmd === CMD.ERASE) this.standardErase();
        else this.extendedEraseStep();
        return;
      case CMD.WRITE_UNPROTECT:
        this.writeProtected = false;
        this.reply(ACK, ACK);
        this.reset();
        return;
      case CMD.WRITE_PROTECT:
        this.reply(ACK);
        this.expect(1, ([n]) =>
          this.expect(n! + 2, () => {
            this.writeProtected = true;
            this.reply(ACK);
            this.reset();
          }),
        );
        return;
      case CMD.READOUT_PROTECT:
        this.readoutProtected = true;
        this.reply(ACK, ACK);
        this.reset();
        return;
      case CMD.READOUT_UNPROTECT:
        // Removing read protection mass-erases the flash, then the part resets.
        this.flash.fill(0xff);
        this.readoutProtected = false;
        this.reply(ACK, ACK);
        this.reset();
        return;
      default:
        this.reply(NACK);
    }
  }

  private write(address: number, n: number, rest: Uint8Array): void {
    const data = rest.subarray(0, n + 1);
    const target = this.readable(address, data.length);
    const inFlash = address < RAM_START;
    if (xorOf(data, n) !== rest[n + 1] || !target || (!inFlash && address < RAM_WRITABLE_FROM)) {
      this.reply(NACK);
      return;
    }
    if (inFlash) {
      // Flash is programmed in half-words of an erased (0xFF) area; protected or unaligned writes fail.
      if (this.writeProtected || address % 4 !== 0 || data.length % 2 !== 0) {
        this.reply(NACK);
        return;
      }
      for (let i = 0; i < data.length; i++) {
        if (target[i] !== 0xff && target[i] !== data[i]) {
          this.reply(NACK);
          return;
        }
      }
    }
    target.set(data);
    const corrupt = this.corruptAt;
    if (corrupt !== undefined && corrupt >= address && corrupt < address + data.length)
      target[corrupt - address]! ^= 0x01;
    this.reply(ACK);
  }

  private erasePages(pages: number[]): boolean {
    const count = this.part.flashSize / this.part.pageSize;
    if (this.writeProtected || pages.some((p) => p >= count)) return false;
    for (const p of pages) this.flash.fill(0xff, p * this.part.pageSize, (p + 1) * this.part.pageSize);
    return true;
  }

  private standardErase(): void {
    this.expect(1, ([n]) => {
      if (n === 0xff) {
        this.expect(1, ([check]) => {
          const ok = check === 0x00 && !this.writeProtected;
          if (ok) this.flash.fill(0xff);
          this.reply(ok ? ACK : NACK);
        });
        return;
      }
      this.expect(n! + 2, (rest) => {
        const pages = [...rest.subarray(0, n! + 1)];
        const ok = xorOf(pages, n) === rest[n! + 1] && this.erasePages(pages);
        this.reply(ok ? ACK : NACK);
      });
    });
  }

  private extendedEraseStep(): void {
    this.expect(2, ([hi, lo]) => {
      const n = (hi! << 8) | lo!;
      if (n >= 0xfffd) {
        // Mass erase (0xFFFF), bank 1 (0xFFFE), bank 2 (0xFFFD): one bank here.
        this.expect(1, ([check]) => {
          const ok = check === (hi! ^ lo!) && !this.writeProtected;
          if (ok) this.flash.fill(0xff);
          this.reply(ok ? ACK : NACK);
        });
        return;
      }
      this.expect((n + 1) * 2 + 1, (rest) => {
        const pages: number[] = [];
        for (let i = 0; i <= n; i++) pages.push((rest[i * 2]! << 8) | rest[i * 2 + 1]!);
        const ok = xorOf(rest.subarray(0, (n + 1) * 2), hi! ^ lo!) === rest[(n + 1) * 2] && this.erasePages(pages);
        this.reply(ok ? ACK : NACK);
      });
    });
  }
}
