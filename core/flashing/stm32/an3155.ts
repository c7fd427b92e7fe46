// ST AN3155 (USART bootloader) framing: command bytes, checksums, addresses. Pure.
export const ACK = 0x79;
export const NACK = 0x1f;
export const INIT = 0x7f;

export const CMD = {
  GET: 0x00,
  GET_VERSION: 0x01,
  GET_ID: 0x02,
  READ_MEMORY: 0x11,
  GO: 0x21,
  WRITE_MEMORY: 0x31,
  ERASE: 0x43,
  EXTENDED_ERASE: 0x44,
  WRITE_PROTECT: 0x63,
  WRITE_UNPROTECT: 0x73,
  READOUT_PROTECT: 0x82,
  READOUT_UNPROTECT: 0x92,
} as const;

/** A command goes out as the byte and its complement. */
export const commandFrame = (cmd: number): Uint8Array => Uint8Array.from([cmd, cmd ^ 0xff]);

export function xorOf(bytes: ArrayLike<number>, seed = 0): number {
  let x = seed;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i]!;
  return x & 0xff;
}

/** Big-endian address followed by the XOR of its four bytes. */
export function addressFrame(address: number): Uint8Array {
  const b = [(address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff];
  return Uint8Array.from([...b, xorOf(b)]);
}

export function parseAddressFrame(frame: Uint8Array): number | null {
  if (frame.length !== 5 || xorOf(frame.subarray(0, 4)) !== frame[4]) return null;
  return ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
}

/** Write Memory payload: N-1, the bytes (1..256, a multiple of 4 for flash), XOR of all of it. */
export function writeFrame(data: Uint8Array): Uint8Array {
  if (data.length < 1 || data.length > 256) throw new RangeError('a write carries 1 to 256 bytes');
  const out = new Uint8Array(data.length + 2);
  out[0] = data.length - 1;
  out.set(data, 1);
  out[out.length - 1] = xorOf(data, data.length - 1);
  return out;
}

/** Extended Erase of the given pages: count-1 (16 bits), the pages (16 bits each), XOR. */
export function extendedEraseFrame(pages: number[]): Uint8Array {
  const words = [pages.length - 1, ...pages];
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  return Uint8Array.from([...bytes, xorOf(bytes)]);
}

/** Standard Erase of the given pages (up to 255): count-1, the pages, XOR. */
export function standardEraseFrame(pages: number[]): Uint8Array {
  const bytes = [pages.length - 1, ...pages];
  return Uint8Array.from([...bytes, xorOf(bytes)]);
}

/** Mass erase: 0xFF 0x00 (standard) or 0xFFFF + checksum 0x00 (extended). */
export const MASS_ERASE_STANDARD = Uint8Array.from([0xff, 0x00]);
export const MASS_ERASE_EXTENDED = Uint8Array.from([0xff, 0xff, 0x00]);

/** Product ids the workbench knows by name (AN2606); the flash layout of each. */
export interface Stm32Part {
  pid: number;
  name: string;
  flashStart: number;
  flashSize: number;
  pageSize: number;
}

export const stm32Parts: readonly Stm32Part[] = [
  { pid: 0x410, name: 'STM32F10xxx medium-density', flashStart: 0x08000000, flashSize: 128 * 1024, pageSize: 1024 },
  { pid: 0x414, name: 'STM32F10xxx high-density', flashStart: 0x08000000, flashSize: 512 * 1024, pageSize: 2048 },
  { pid: 0x430, name: 'STM32F10xxx XL-density', flashStart: 0x08000000, flashSize: 1024 * 1024, pageSize: 2048 },
];

export const partOf = (pid: number): Stm32Part | undefined => stm32Parts.find((p) => p.pid === pid);
