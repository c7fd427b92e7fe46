// The display-filter language: `mqtt.topic contains "data" && !(coap.code == 2.05)`, parsed with error positions.

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'contains' | 'matches';

export interface Literal {
  /** As written (without quotes): `2.05` stays "2.05" for CoAP codes. */
  text: string;
  number?: number;
  regex?: RegExp;
}

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'exists'; field: string }
  | { kind: 'compare'; field: string; op: CompareOp; value: Literal };

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

/** Fields the language knows; `decoded.<property>` names anything the codec returns. */
export const filterFields: Readonly<Record<string, string>> = {
  proto: 'protocol layer: mqtt, coap, lwm2m, pcp, codec',
  dir: 'in (device → core) or out',
  transport: 'tcp, udp or serial',
  device: 'device id',
  peer: 'device address:port',
  local: 'core address:port',
  len: 'frame length in bytes',
  error: 'true when a layer failed to decode',
  payload: 'payload as text',
  mqtt: 'MQTT frames',
  'mqtt.type': 'connect, publish, subscribe, …',
  'mqtt.topic': 'topic (or topic filters)',
  'mqtt.qos': '0, 1 or 2',
  'mqtt.retain': 'true or false',
  'mqtt.dup': 'true or false',
  'mqtt.msgid': 'packet identifier',
  'mqtt.clientid': 'client id of a CONNECT',
  'mqtt.username': 'user name of a CONNECT',
  'mqtt.code': 'CONNACK / SUBACK / reason codes',
  coap: 'CoAP frames',
  'coap.type': 'con, non, ack, rst',
  'coap.code': 'code in 2.05 form',
  'coap.uri': 'path and query, e.g. /19/0/0',
  'coap.mid': 'message id',
  'coap.token': 'token in hex',
  'coap.observe': 'Observe option value',
  'coap.cf': 'Content-Format number',
  lwm2m: 'LwM2M frames',
  'lwm2m.op': 'register, update, deregister, read, write, execute, observe, notify, …',
  'lwm2m.path': '/object/instance/resource',
  'lwm2m.object': 'object id',
  'lwm2m.objectname': 'object name',
  'lwm2m.ep': 'endpoint name of a registration',
  pcp: 'PCP frames (valid or not)',
  'pcp.code': 'message code 19–24',
  'pcp.valid': 'true or false',
  'pcp.kind': 'request or reply',
  'pcp.result': 'result byte',
  'pcp.shard': 'shard index',
  codec: 'frames the codec decoded',
};

const PROTOCOL_FIELDS = new Set(['mqtt', 'coap', 'lwm2m', 'pcp', 'codec']);

export function isKnownField(name: string): boolean {
  return Object.hasOwn(filterFields, name) || /^decoded\.[^\s]+$/.test(name);
}

export function isProtocolField(name: string): boolean {
  return PROTOCOL_FIELDS.has(name);
}

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number };

const WORD = /[A-Za-z0-9_.:\-/+#$*]/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ t: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if ('()<>!'.includes(c)) {
      tokens.push({ t: 'op', v: c, pos: i });
      i++;
      continue;
    }
    if (c === '=') throw new FilterSyntaxError('"=" is not an operator; use "=="', i);
    if (c === '&' || c === '|') throw new FilterSyntaxError(`"${c}" is not an operator; use "${c}${c}"`, i);
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError('this string has no closing quote', start);
        const ch = input[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch === '\\' && i + 1 < input.length) {
          const next = input[i + 1]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ t: 'string', v: value, pos: start });
      continue;
    }
    if (WORD.test(c)) {
      const start = i;
      while (i < input.length && WORD.test(input[i]!)) i++;
      tokens.push({ t: 'word', v: input.slice(start, i), pos: start });
      continue;
    }
    throw new FilterSyntaxError(`unexpected character "${c}"`, i);
  }
  tokens.push({ t: 'end', pos: input.length });
  return tokens;
}

const COMPARE_WORDS: Record<string, CompareOp> = {
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  contains: 'contains',
  matches: 'matches',
};

/** Parses an expression; an empty one is undefined (everything matches). Throws FilterSyntaxError. */
export function parseFilter(input: string): FilterNode | undefined {
  const tokens = tokenize(input);
  let k = 0;
  const peek = () => tokens[k]!;
  const next = () => tokens[k++]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const isWord = (...vs: string[]) => {
    const t = peek();
    return t.t === 'word' && vs.includes(t.v.toLowerCase());
  };
  const describe = (t: Token) => (t.t === 'end' ? 'the end' : `"${t.v}"`);

  if (peek().t === 'end') return undefined;

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isOp('||') || isWord('or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (isOp('&&') || isWord('and')) {
      next();
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (isOp('!') || isWord('not')) {
      next();
      return { kind: 'not', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): FilterNode => {
    const t = next();
    if (t.t === 'op' && t.v === '(') {
      const inner = parseOr();
      const close = next();
      if (close.t !== 'op' || close.v !== ')')
        throw new FilterSyntaxError(`expected ")" but found ${describe(close)}`, close.pos);
      return inner;
    }
    if (t.t !== 'word') throw new FilterSyntaxError(`expected a field name but found ${describe(t)}`, t.pos);
    const name = t.v.toLowerCase().startsWith('decoded.') ? t.v : t.v.toLowerCase();
    if (!isKnownField(name)) throw new FilterSyntaxError(`unknown field "${t.v}"`, t.pos);
    const opToken = peek();
    let op: CompareOp | undefined;
    if (opToken.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(opToken.v)) op = opToken.v as CompareOp;
    else if (opToken.t === 'word' && COMPARE_WORDS[opToken.v.toLowerCase()])
      op = COMPARE_WORDS[opToken.v.toLowerCase()];
    if (!op) return { kind: 'exists', field: name };
    next();
    const v = next();
    if (v.t !== 'word' && v.t !== 'string')
      throw new FilterSyntaxError(`expected a value after ${op} but found ${describe(v)}`, v.pos);
    const value: Literal = { text: v.v };
    if (v.t === 'word' && /^-?(?:\d+(?:\.\d+)?|0x[0-9a-f]+)$/i.test(v.v)) value.number = Number(v.v);
    if (op === 'matches') {
      try {
        value.regex = new RegExp(v.v, 'i');
      } catch (e) {
        throw new FilterSyntaxError(`bad regular expression: ${e instanceof Error ? e.message : String(e)}`, v.pos);
      }
    }
    return { kind: 'compare', field: name, op, value };
  };

  const tree = parseOr();
  const rest = peek();
  if (rest.t !== 'end')
    throw new FilterSyntaxError(`expected "&&", "||" or the end but found ${describe(rest)}`, rest.pos);
  return tree;
}
