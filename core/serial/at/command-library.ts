// The NB-IoT module command library (reference §9.2): each command with the parser of its response lines.
import type { AtCommandInfo } from '../../contract/serial.js';
import { coverageLevel } from './coverage-level.js';

export type AtFields = Record<string, string | number | boolean>;
/** Why response lines do not have the shape a parser expects. */
export class AtParseFailure {
  constructor(readonly message: string) {}
}
const fail = (message: string): AtParseFailure => new AtParseFailure(message);

export type AtParser = (lines: readonly string[]) => AtFields | AtParseFailure;

export interface AtCommandDefinition extends AtCommandInfo {
  /** Matches a typed command (case-insensitive) to this entry. */
  matches: RegExp;
  parse?: AtParser;
}

const afterColon = (line: string): string => line.replace(/^\+[A-Z0-9]+:\s*/i, '').trim();

function firstLine(lines: readonly string[], prefix?: string): string | undefined {
  if (prefix) return lines.find((l) => l.toUpperCase().startsWith(prefix));
  return lines[0];
}

function keyValues(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of line.split(',')) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (k && v !== undefined && Number.isFinite(n)) out[k.trim().toLowerCase()] = n;
  }
  return out;
}

const parseImei: AtParser = (lines) => {
  const line = firstLine(lines, '+CGSN') ?? firstLine(lines);
  const imei = line ? afterColon(line) : '';
  return /^\d{14,17}$/.test(imei) ? { imei } : fail(`no IMEI in "${line ?? ''}"`);
};

const parseDigits =
  (field: string, prefix?: string): AtParser =>
  (lines) => {
    const line = (prefix ? firstLine(lines, prefix) : undefined) ?? firstLine(lines);
    const value = line ? afterColon(line) : '';
    return /^[0-9A-F]{6,22}$/i.test(value) ? { [field]: value } : fail(`no ${field} in "${line ?? ''}"`);
  };

const parseFirmware: AtParser = (lines) => {
  if (lines.length === 0) return fail('no firmware lines');
  const fields: AtFields = { firmware: lines.join(' / ') };
  for (const l of lines) {
    const [k, v] = l.split(',');
    if (k && v) fields[k.trim().toLowerCase()] = v.trim();
  }
  return fields;
};

const parseCsq: AtParser = (lines) => {
  const line = firstLine(lines, '+CSQ');
  const m = line ? /^(\d+)\s*,\s*(\d+)$/.exec(afterColon(line)) : null;
  if (!m) return fail(`no +CSQ in "${lines.join(' ')}"`);
  const rssi = Number(m[1]);
  const fields: AtFields = { rssi, ber: Number(m[2]) };
  if (rssi !== 99) fields.rssiDbm = -113 + 2 * rssi;
  return fields;
};

/** Accepts `Signal power:-832` and the newer `NUESTATS:RADIO,Signal power,-832`. */
const parseNuestats: AtParser = (lines) => {
  const raw = new Map<string, string>();
  for (const l of lines) {
    const modern = /^NUESTATS:\s*\w+,([^,]+),(.+)$/i.exec(l);
    const classic = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.+)$/.exec(l);
    const m = modern ?? classic;
    if (m?.[1] && m[2] !== undefined) raw.set(m[1].trim().toLowerCase(), m[2].trim());
  }
  const num = (key: string): number | undefined => {
    const v = raw.get(key);
    const n = v === undefined ? NaN : Number(v);
    // -32768 is the firmware's "no value" (e.g. TX power while not transmitting).
    return Number.isFinite(n) && n !== -32768 ? n : undefined;
  };
  const signal = num('signal power');
  const snr = num('snr');
  if (signal === undefined) return fail('no "Signal power" line');
  // Boudica firmware reports centibels: -832 means -83.2 dBm.
  const fields: AtFields = { rsrpDbm: signal / 10 };
  if (snr !== undefined) fields.sinrDb = snr / 10;
  const total = num('total power');
  if (total !== undefined) fields.totalPowerDbm = total / 10;
  const tx = num('tx power');
  if (tx !== undefined) fields.txPowerDbm = tx / 10;
  const cell = raw.get('cell id');
  if (cell !== undefined) fields.cellId = cell;
  for (const key of ['ecl', 'earfcn', 'pci', 'rsrq'] as const) {
    const v = num(key);
    if (v !== undefined) fields[key] = v;
  }
  if (snr !== undefined) fields.coverageLevel = coverageLevel(signal / 10, snr / 10);
  return fields;
};

const parseNcdp: AtParser = (lines) => {
  const line = firstLine(lines, '+NCDP');
  const m = line ? /^([^,]*)\s*,\s*(\d+)$/.exec(afterColon(line)) : null;
  if (!m) return fail(`no +NCDP in "${lines.join(' ')}"`);
  return { server: (m[1] ?? '').trim(), port: Number(m[2]) };
};

const parseNmgr: AtParser = (lines) => {
  const line = firstLine(lines);
  const m = line ? /^(\d+)\s*,\s*([0-9A-F]*)$/i.exec(line) : null;
  if (!m) return lines.length === 0 ? { length: 0, hex: '' } : fail(`no <len>,<hex> in "${line ?? ''}"`);
  return { length: Number(m[1]), hex: (m[2] ?? '').toUpperCase() };
};

const parseStats: AtParser = (lines) => {
  const values = keyValues(lines.join(','));
  return Object.keys(values).length ? values : fail(`no KEY=n pairs in "${lines.join(' ')}"`);
};

const parsePrefixed =
  (prefix: string, names: readonly string[]): AtParser =>
  (lines) => {
    const line = firstLine(lines, prefix);
    if (!line) return fail(`no ${prefix} line`);
    const parts = afterColon(line).split(',');
    const fields: AtFields = {};
    names.forEach((name, i) => {
      const v = parts[i]?.trim().replace(/^"|"$/g, '');
      if (v !== undefined && v !== '') fields[name] = /^-?\d+$/.test(v) ? Number(v) : v;
    });
    return fields;
  };

export const atCommandLibrary: readonly AtCommandDefinition[] = [
  { id: 'imei', command: 'AT+CGSN=1', group: 'identity', matches: /^AT\+CGSN(=1)?$/i, parse: parseImei },
  { id: 'imsi', command: 'AT+CIMI', group: 'identity', matches: /^AT\+CIMI$/i, parse: parseDigits('imsi') },
  {
    id: 'iccid',
    command: 'AT+NCCID',
    group: 'identity',
    matches: /^AT\+NCCID$/i,
    parse: parseDigits('iccid', '+NCCID'),
  },
  { id: 'firmware', command: 'AT+CGMR', group: 'identity', matches: /^AT\+CGMR$/i, parse: parseFirmware },
  { id: 'csq', command: 'AT+CSQ', group: 'radio', matches: /^AT\+CSQ$/i, parse: parseCsq },
  { id: 'nuestats', command: 'AT+NUESTATS', group: 'radio', matches: /^AT\+NUESTATS$/i, parse: parseNuestats },
  { id: 'cfun-on', command: 'AT+CFUN=1', group: 'radio', matches: /^AT\+CFUN=1$/i },
  { id: 'cfun-off', command: 'AT+CFUN=0', group: 'radio', matches: /^AT\+CFUN=0$/i },
  {
    id: 'cgatt',
    command: 'AT+CGATT?',
    group: 'radio',
    matches: /^AT\+CGATT\?$/i,
    parse: parsePrefixed('+CGATT', ['attached']),
  },
  {
    id: 'cereg',
    command: 'AT+CEREG?',
    group: 'radio',
    matches: /^AT\+CEREG\?$/i,
    parse: parsePrefixed('+CEREG', ['mode', 'stat']),
  },
  {
    id: 'cgpaddr',
    command: 'AT+CGPADDR',
    group: 'radio',
    matches: /^AT\+CGPADDR$/i,
    parse: parsePrefixed('+CGPADDR', ['cid', 'ip']),
  },
  { id: 'ncdp-get', command: 'AT+NCDP?', group: 'platform', matches: /^AT\+NCDP\?$/i, parse: parseNcdp },
  { id: 'ncdp-set', command: 'AT+NCDP=', template: 'AT+NCDP=<ip>,<port>', group: 'platform', matches: /^AT\+NCDP=/i },
  { id: 'nnmi', command: 'AT+NNMI=1', template: 'AT+NNMI=<0|1|2>', group: 'data', matches: /^AT\+NNMI=/i },
  { id: 'nmgs', command: 'AT+NMGS=', template: 'AT+NMGS=<len>,<hex>', group: 'data', matches: /^AT\+NMGS=/i },
  { id: 'nmgr', command: 'AT+NMGR', group: 'data', matches: /^AT\+NMGR$/i, parse: parseNmgr },
  { id: 'nqmgs', command: 'AT+NQMGS', group: 'data', matches: /^AT\+NQMGS$/i, parse: parseStats },
  { id: 'nqmgr', command: 'AT+NQMGR', group: 'data', matches: /^AT\+NQMGR$/i, parse: parseStats },
  { id: 'nrb', command: 'AT+NRB', group: 'system', matches: /^AT\+NRB$/i },
];

export function findAtCommand(command: string): AtCommandDefinition | undefined {
  const typed = command.trim();
  return atCommandLibrary.find((c) => c.matches.test(typed));
}

/** Library entries without their functions, for the API. */
export function atCommandInfos(): AtCommandInfo[] {
  return atCommandLibrary.map(({ id, command, template, group }) => ({ id, command, template, group }));
}

/** Parses response lines with the library's parser; never throws. */
export function parseAtFields(command: string, lines: readonly string[]): { fields?: AtFields; parseError?: string } {
  const parse = findAtCommand(command)?.parse;
  if (!parse) return {};
  try {
    const out = parse(lines);
    return out instanceof AtParseFailure ? { parseError: out.message } : { fields: out };
  } catch (error) {
    return { parseError: error instanceof Error ? error.message : String(error) };
  }
}
