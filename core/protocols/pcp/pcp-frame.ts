// PCP: pure decode/encode of software-upgrade frames carried in LwM2M /19 or raw payloads.
import { pcpChecksum } from './pcp-checksum.js';

export const PCP_START = 0xfffe;
export const PCP_HEADER_LENGTH = 8;
export const PCP_PROTOCOL_VERSION = 1;
export const PCP_VERSION_FIELD_LENGTH = 16;

export type PcpSender = 'platform' | 'device';
export type PcpKind = 'request' | 'reply';

interface CodeInfo {
  name: string;
  /** Who sends the request; the reply comes from the other side. */
  requester: PcpSender;
}

export const pcpMessageCodes: Readonly<Record<number, CodeInfo>> = {
  19: { name: 'query version', requester: 'platform' },
  20: { name: 'new version notice', requester: 'platform' },
  21: { name: 'request shard', requester: 'device' },
  22: { name: 'report download result', requester: 'device' },
  23: { name: 'execute upgrade', requester: 'platform' },
  24: { name: 'report upgrade result', requester: 'device' },
};

/** Meaning of a result byte, per message code and kind (R-15.3; the reference's union dictionary otherwise). */
const resultMeanings: Record<string, Record<number, string>> = {
  '19.reply': { 0: 'ok' },
  '20.reply': {
    0: 'upgrade allowed',
    1: 'device busy',
    2: 'poor signal',
    3: 'already the latest version',
    4: 'low battery',
    5: 'not enough space',
    9: 'out of memory',
    0x7f: 'internal error',
  },
  '21.reply': { 0: 'ok', 0x80: 'no upgrade task', 0x81: 'no such shard' },
  '22.request': {
    0: 'downloaded',
    5: 'not enough space',
    6: 'download timeout',
    7: 'package check failed',
    8: 'package type not supported',
  },
  '22.reply': { 0: 'ok', 0x80: 'no upgrade task' },
  '23.reply': { 0: 'ok', 1: 'device busy', 4: 'low battery', 5: 'not enough space', 9: 'out of memory' },
  '24.request': {
    0: 'upgrade succeeded',
    1: 'device busy',
    4: 'low battery',
    5: 'not enough space',
    9: 'out of memory',
    0x0a: 'install failed',
    0x7f: 'internal error',
  },
  '24.reply': { 0: 'ok', 0x80: 'no upgrade task' },
};

const unionMeanings: Record<number, string> = {
  0x00: 'ok',
  0x01: 'device busy',
  0x02: 'poor signal',
  0x03: 'already the latest version',
  0x04: 'low battery',
  0x05: 'not enough space',
  0x06: 'download timeout',
  0x07: 'package check failed',
  0x08: 'package type not supported',
  0x09: 'out of memory',
  0x0a: 'install failed',
  0x7f: 'internal error',
  0x80: 'upgrade task does not exist',
  0x81: 'requested shard does not exist',
};

export function pcpResultMeaning(code: number, kind: PcpKind, result: number): string {
  return resultMeanings[`${code}.${kind}`]?.[result] ?? unionMeanings[result] ?? `unknown result 0x${hex2(result)}`;
}

/** The message of a frame as named values; the same shape `encodePcpFrame` takes. */
export interface PcpMessage {
  code: number;
  kind: PcpKind;
  /** Low nibble = protocol version; the high nibble is reserved. */
  version?: number;
  result?: number;
  currentVersion?: string;
  targetVersion?: string;
  shardSize?: number;
  shardCount?: number;
  checkCode?: number;
  shardIndex?: number;
  /** Hex of the shard's bytes (code 21 reply). */
  shardData?: string;
  /** Hex of the whole data part, overriding the fields above (for odd frames in tests). */
  data?: string;
  /** Forces the checksum field (for invalid frames in tests); computed when absent. */
  checksum?: number;
}

/** One named field with its place in the frame, for the traffic view's hex highlight. */
export interface PcpField {
  key: string;
  label: string;
  value: string | number;
  meaning?: string;
  offset: number;
  length: number;
}

export interface PcpFrame {
  valid: true;
  code: number;
  codeName: string;
  kind: PcpKind;
  sender: PcpSender;
  /** True when the kind was guessed from the data length because the sender was not known. */
  kindInferred: boolean;
  versionByte: number;
  checksum: { given: string; computed: string };
  length: number;
  message: PcpMessage;
  fields: PcpField[];
}

export type PcpErrorCode =
  | 'PCP_TOO_SHORT'
  | 'PCP_BAD_START'
  | 'PCP_BAD_VERSION'
  | 'PCP_BAD_CODE'
  | 'PCP_BAD_CHECKSUM'
  | 'PCP_BAD_LENGTH'
  | 'PCP_NOT_SUPPORTED';

export interface PcpDecodeError {
  valid: false;
  code: PcpErrorCode;
  /** "not PCP because …" */
  reason: string;
  /** Whatever of the header could be read. */
  header: Partial<{
    start: string;
    versionByte: number;
    code: number;
    codeName: string;
    checksum: { given: string; computed: string };
    length: number;
    dataLength: number;
  }>;
}

export type PcpDecodeResult = PcpFrame | PcpDecodeError;

export interface PcpDecodeOptions {
  /** Who sent the bytes; decides request vs reply where the length cannot. */
  sender?: PcpSender;
  /** a message is PCP only for products that upgrade software over PCP (unknown = assume yes). */
  productSupportsPcp?: boolean;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += hex2(b);
  return s;
}

/** Data lengths each code allows, per kind (a code 21 reply carries any number of shard bytes). */
function dataLengthFits(code: number, kind: PcpKind, length: number): boolean {
  switch (`${code}.${kind}`) {
    case '19.request':
    case '23.request':
      return length === 0;
    case '19.reply':
    case '24.request':
      return length === 1 + PCP_VERSION_FIELD_LENGTH;
    case '20.request':
      return length === PCP_VERSION_FIELD_LENGTH + 6;
    case '21.request':
      return length === PCP_VERSION_FIELD_LENGTH + 2;
    case '21.reply':
      return length >= 3;
    default:
      // 20/22/23/24 replies and 22 requests are one result byte.
      return length === 1;
  }
}

const expectedLengths: Record<number, string> = {
  19: 'request 0 bytes, reply 17',
  20: 'request 22 bytes, reply 1',
  21: 'request 18 bytes, reply 3 or more',
  22: 'request 1 byte, reply 1',
  23: 'request 0 bytes, reply 1',
  24: 'request 17 bytes, reply 1',
};

function kindFor(code: number, sender: PcpSender): PcpKind {
  return pcpMessageCodes[code]!.requester === sender ? 'request' : 'reply';
}

function senderFor(code: number, kind: PcpKind): PcpSender {
  const requester = pcpMessageCodes[code]!.requester;
  return kind === 'request' ? requester : requester === 'platform' ? 'device' : 'platform';
}

function readVersionString(data: Uint8Array): string {
  let end = data.indexOf(0);
  if (end < 0) end = data.length;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(data[i]!);
  return s;
}

function error(code: PcpErrorCode, reason: string, header: PcpDecodeError['header']): PcpDecodeError {
  return { valid: false, code, reason: `not PCP because ${reason}`, header };
}

/** Decodes one PCP frame; every rule of that fails gives an error value, never an exception. */
export function decodePcpFrame(bytes: Uint8Array, options: PcpDecodeOptions = {}): PcpDecodeResult {
  if (options.productSupportsPcp === false) {
    return error('PCP_NOT_SUPPORTED', 'the product does not upgrade software over PCP', {});
  }
  if (bytes.length < 2) return error('PCP_TOO_SHORT', `it has ${bytes.length} bytes, fewer than the 8 of a header`, {});
  const start = (bytes[0]! << 8) | bytes[1]!;
  const header: PcpDecodeError['header'] = { start: hex4(start) };
  if (start !== PCP_START) return error('PCP_BAD_START', `it starts with 0x${hex4(start)}, not 0xFFFE`, header);
  if (bytes.length < PCP_HEADER_LENGTH) {
    return error('PCP_TOO_SHORT', `it has ${bytes.length} bytes, fewer than the 8 of a header`, header);
  }
  const versionByte = bytes[2]!;
  const code = bytes[3]!;
  const given = (bytes[4]! << 8) | bytes[5]!;
  const length = (bytes[6]! << 8) | bytes[7]!;
  const computed = pcpChecksum(bytes);
  Object.assign(header, {
    versionByte,
    code,
    codeName: pcpMessageCodes[code]?.name ?? 'reserved',
    checksum: { given: hex4(given), computed: hex4(computed) },
    length,
    dataLength: bytes.length - PCP_HEADER_LENGTH,
  });
  if ((versionByte & 0x0f) !== PCP_PROTOCOL_VERSION) {
    return error(
      'PCP_BAD_VERSION',
      `the version byte 0x${hex2(versionByte)} has protocol version ${versionByte & 0x0f}, not 1`,
      header,
    );
  }
  const info = pcpMessageCodes[code];
  if (!info) return error('PCP_BAD_CODE', `message code ${code} is not one of 19–24`, header);
  if (given !== computed) {
    return error('PCP_BAD_CHECKSUM', `checksum 0x${hex4(given)} does not match computed 0x${hex4(computed)}`, header);
  }
  const data = bytes.subarray(PCP_HEADER_LENGTH);
  if (length !== data.length) {
    return error(
      'PCP_BAD_LENGTH',
      `the data length field says ${length} bytes but ${data.length} follow the header`,
      header,
    );
  }

  let kind: PcpKind;
  let kindInferred = false;
  if (options.sender) {
    kind = kindFor(code, options.sender);
  } else {
    kindInferred = true;
    // 21 and 22 can be either kind at some lengths; a request is the likelier reading then.
    kind = dataLengthFits(code, 'request', length) ? 'request' : 'reply';
  }
  if (!dataLengthFits(code, kind, length)) {
    return error(
      'PCP_BAD_LENGTH',
      `${length} data bytes do not fit a code ${code} ${kind} (${expectedLengths[code] ?? ''})`,
      header,
    );
  }

  const fields: PcpField[] = [
    { key: 'pcp.start', label: 'Start', value: 'FFFE', offset: 0, length: 2 },
    { key: 'pcp.version', label: 'Version', value: versionByte & 0x0f, offset: 2, length: 1 },
    { key: 'pcp.code', label: 'Message code', value: code, meaning: info.name, offset: 3, length: 1 },
    {
      key: 'pcp.checksum',
      label: 'Checksum',
      value: hex4(given),
      meaning: `computed ${hex4(computed)}, ok`,
      offset: 4,
      length: 2,
    },
    { key: 'pcp.length', label: 'Data length', value: length, offset: 6, length: 2 },
  ];
  const message: PcpMessage = { code, kind };
  if ((versionByte & 0xf0) !== 0) message.version = versionByte;
  const at = (i: number) => PCP_HEADER_LENGTH + i;
  const word = (i: number) => (data[i]! << 8) | data[i + 1]!;
  const addResult = (i: number) => {
    const result = data[i]!;
    message.result = result;
    fields.push({
      key: 'pcp.result',
      label: 'Result',
      value: result,
      meaning: pcpResultMeaning(code, kind, result),
      offset: at(i),
      length: 1,
    });
  };
  const addVersion = (key: 'currentVersion' | 'targetVersion', label: string, i: number) => {
    const v = readVersionString(data.subarray(i, i + PCP_VERSION_FIELD_LENGTH));
    message[key] = v;
    fields.push({ key: `pcp.${key}`, label, value: v, offset: at(i), length: PCP_VERSION_FIELD_LENGTH });
  };
  const addWord = (key: 'shardSize' | 'shardCount' | 'checkCode' | 'shardIndex', label: string, i: number) => {
    const v = word(i);
    message[key] = v;
    fields.push({ key: `pcp.${key}`, label, value: key === 'checkCode' ? hex4(v) : v, offset: at(i), length: 2 });
  };

  switch (`${code}.${kind}`) {
    case '19.reply':
      addResult(0);
      addVersion('currentVersion', 'Current version', 1);
      break;
    case '20.request':
      addVersion('targetVersion', 'Target version', 0);
      addWord('shardSize', 'Shard size', 16);
      addWord('shardCount', 'Shard count', 18);
      addWord('checkCode', 'Check code', 20);
      break;
    case '21.request':
      addVersion('targetVersion', 'Target version', 0);
      addWord('shardIndex', 'Shard index', 16);
      break;
    case '21.reply':
      addResult(0);
      addWord('shardIndex', 'Shard index', 1);
      if (length > 3) {
        message.shardData = toHex(data.subarray(3));
        fields.push({
          key: 'pcp.shardData',
          label: 'Shard data',
          value: `${length - 3} bytes`,
          offset: at(3),
          length: length - 3,
        });
      }
      break;
    case '24.request':
      addResult(0);
      addVersion('currentVersion', 'Current version', 1);
      break;
    case '19.request':
    case '23.request':
      break;
    default:
      addResult(0);
  }

  return {
    valid: true,
    code,
    codeName: info.name,
    kind,
    sender: senderFor(code, kind),
    kindInferred,
    versionByte,
    checksum: { given: hex4(given), computed: hex4(computed) },
    length,
    message,
    fields,
  };
}

export class PcpEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PcpEncodeError';
  }
}

function fromHex(hex: string, what: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new PcpEncodeError(`${what} is not hex: "${hex}"`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

function versionBytes(value: string | undefined, what: string): number[] {
  if (value === undefined) throw new PcpEncodeError(`${what} is required`);
  const bytes = [...Buffer.from(value, 'latin1')];
  if (/[^\x20-\x7e]/.test(value)) throw new PcpEncodeError(`${what} must be printable ASCII`);
  if (bytes.length > PCP_VERSION_FIELD_LENGTH) throw new PcpEncodeError(`${what} is longer than 16 bytes`);
  return [...bytes, ...new Array<number>(PCP_VERSION_FIELD_LENGTH - bytes.length).fill(0)];
}

function wordBytes(value: number | undefined, what: string, fallback?: number): number[] {
  const v = value ?? fallback;
  if (v === undefined) throw new PcpEncodeError(`${what} is required`);
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new PcpEncodeError(`${what} must be 0–65535`);
  return [v >> 8, v & 0xff];
}

function byteValue(value: number | undefined, what: string, fallback?: number): number {
  const v = value ?? fallback;
  if (v === undefined) throw new PcpEncodeError(`${what} is required`);
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new PcpEncodeError(`${what} must be 0–255`);
  return v;
}

function messageData(m: PcpMessage): Uint8Array {
  if (m.data !== undefined) return fromHex(m.data, 'data');
  switch (`${m.code}.${m.kind}`) {
    case '19.request':
    case '23.request':
      return new Uint8Array(0);
    case '19.reply':
    case '24.request':
      return Uint8Array.from([byteValue(m.result, 'result', 0), ...versionBytes(m.currentVersion, 'currentVersion')]);
    case '20.request':
      return Uint8Array.from([
        ...versionBytes(m.targetVersion, 'targetVersion'),
        ...wordBytes(m.shardSize, 'shardSize', 500),
        ...wordBytes(m.shardCount, 'shardCount'),
        ...wordBytes(m.checkCode, 'checkCode', 0),
      ]);
    case '21.request':
      return Uint8Array.from([
        ...versionBytes(m.targetVersion, 'targetVersion'),
        ...wordBytes(m.shardIndex, 'shardIndex'),
      ]);
    case '21.reply': {
      const result = byteValue(m.result, 'result', 0);
      const shard = m.shardData === undefined ? new Uint8Array(0) : fromHex(m.shardData, 'shardData');
      return Uint8Array.from([result, ...wordBytes(m.shardIndex, 'shardIndex'), ...shard]);
    }
    default:
      if (!pcpMessageCodes[m.code]) throw new PcpEncodeError(`code ${m.code} is not one of 19–24 (give "data" as hex)`);
      return Uint8Array.from([byteValue(m.result, 'result', 0)]);
  }
}

/** Encodes a message into a frame with its checksum; throws PcpEncodeError naming the bad field. */
export function encodePcpFrame(message: PcpMessage): Uint8Array {
  const code = byteValue(message.code, 'code');
  const data = messageData({ ...message, code });
  if (data.length > 0xffff) throw new PcpEncodeError('data is longer than 65535 bytes');
  const frame = new Uint8Array(PCP_HEADER_LENGTH + data.length);
  frame[0] = 0xff;
  frame[1] = 0xfe;
  frame[2] = byteValue(message.version, 'version', PCP_PROTOCOL_VERSION);
  frame[3] = code;
  frame[6] = data.length >> 8;
  frame[7] = data.length & 0xff;
  frame.set(data, PCP_HEADER_LENGTH);
  const checksum = message.checksum ?? pcpChecksum(frame);
  frame[4] = (checksum >> 8) & 0xff;
  frame[5] = checksum & 0xff;
  return frame;
}

/** True when bytes start like PCP (0xFFFE): only then is a failed decode worth showing as "not PCP because …". */
export function looksLikePcp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe;
}
