// Turns what the user typed into bytes: text with a line ending, or hex digits.
import type { LineEnding, SerialSend } from '../contract/serial.js';

const endings: Record<LineEnding, string> = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' };

export class HexInputError extends Error {}

export function parseHexInput(hex: string): Uint8Array {
  const digits = hex.replace(/0x/gi, '').replace(/[\s,:-]/g, '');
  if (!/^[0-9a-f]*$/i.test(digits)) throw new HexInputError('hex input may contain only 0-9, a-f and spaces');
  if (digits.length % 2 !== 0) throw new HexInputError(`hex input has an odd number of digits (${digits.length})`);
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

/** Text is sent as UTF-8, so non-ASCII characters reach the device unchanged. */
export function encodeSend(send: SerialSend): Uint8Array {
  if (send.mode === 'hex') return parseHexInput(send.hex);
  return Uint8Array.from(Buffer.from(send.text + endings[send.lineEnding], 'utf8'));
}
