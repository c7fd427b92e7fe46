// MQTT layer: one control packet parsed by mqtt-packet, with the byte range of each field for the hex view.
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import type { TrafficField, TrafficLayer } from '../../contract/traffic.js';
import { field, type FieldValues } from './layer-types.js';

const packetTypes = [
  'RESERVED',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
] as const;

const connackCodes311: Record<number, string> = {
  0: 'connection accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const reasonCodes5: Record<number, string> = {
  0: 'success',
  1: 'granted QoS 1',
  2: 'granted QoS 2',
  4: 'disconnect with will message',
  16: 'no matching subscribers',
  17: 'no subscription existed',
  128: 'unspecified error',
  129: 'malformed packet',
  130: 'protocol error',
  131: 'implementation specific error',
  132: 'unsupported protocol version',
  133: 'client identifier not valid',
  134: 'bad user name or password',
  135: 'not authorized',
  136: 'server unavailable',
  137: 'server busy',
  138: 'banned',
  141: 'keep alive timeout',
  143: 'topic filter invalid',
  144: 'topic name invalid',
  145: 'packet identifier in use',
  151: 'quota exceeded',
  153: 'payload format invalid',
};

function subackMeaning(code: number): string {
  if (code <= 2) return `granted QoS ${code}`;
  return code === 0x80 ? 'failure' : (reasonCodes5[code] ?? 'unknown');
}

export interface MqttDecodeResult {
  layer: TrafficLayer;
  summary: string;
  error?: string;
  /** Where the application payload sits in the frame (PUBLISH). */
  payload?: { offset: number; bytes: Uint8Array; topic: string };
}

interface ReusableParser {
  parser: ReturnType<typeof mqttPacket.parser>;
  packet: Packet | undefined;
  failure: Error | undefined;
}

// Creating a parser costs more than parsing a small packet, so one per protocol level is kept and reused.
const parsers = new Map<number, ReusableParser>();

function parserFor(protocolVersion: number): ReusableParser {
  let p = parsers.get(protocolVersion);
  if (!p) {
    const entry: ReusableParser = {
      parser: mqttPacket.parser({ protocolVersion }),
      packet: undefined,
      failure: undefined,
    };
    entry.parser.on('packet', (packet: Packet) => (entry.packet ??= packet));
    entry.parser.on('error', (e: unknown) => (entry.failure ??= e instanceof Error ? e : new Error(String(e))));
    parsers.set(protocolVersion, (p = entry));
  }
  p.packet = undefined;
  p.failure = undefined;
  return p;
}

/** Parses exactly one packet; `protocolVersion` comes from the connection's CONNECT (4 = 3.1.1, 5). */
export function parseMqttPacket(bytes: Uint8Array, protocolVersion: number): Packet | Error {
  const p = parserFor(protocolVersion);
  let result: Packet | Error;
  try {
    const left = p.parser.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    result = p.failure ?? p.packet ?? new Error(`incomplete packet (${bytes.length} bytes, ${left} more expected)`);
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  // A parser holding half a packet or an error state would taint the next frame: start a fresh one.
  if (result instanceof Error || p.parser.parse(Buffer.alloc(0)) !== 0) parsers.delete(protocolVersion);
  return result;
}

/** Reads an MQTT variable byte integer; undefined when it runs past the end or past 4 bytes. */
function readVarint(bytes: Uint8Array, at: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const b = bytes[at + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

/** Byte ranges of the fields, walked by hand because mqtt-packet does not report offsets. */
class RangeWalker {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  take(n: number): [number, number] {
    const r: [number, number] = [this.pos, Math.max(0, Math.min(n, this.bytes.length - this.pos))];
    this.pos += n;
    return r;
  }
  string(): [number, number] {
    const len = ((this.bytes[this.pos] ?? 0) << 8) | (this.bytes[this.pos + 1] ?? 0);
    return this.take(2 + len);
  }
  properties(): [number, number] {
    const v = readVarint(this.bytes, this.pos);
    return this.take((v?.size ?? 1) + (v?.value ?? 0));
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

export function decodeMqttLayer(bytes: Uint8Array, protocolVersion: number, values: FieldValues): MqttDecodeResult {
  const fields: TrafficField[] = [];
  const first = bytes[0] ?? 0;
  const typeName = packetTypes[first >> 4] ?? 'RESERVED';
  const remaining = readVarint(bytes, 1);
  fields.push(
    field('mqtt.type', 'Packet type', typeName, { offset: 0, length: 1 }),
    field('mqtt.flags', 'Flags', `0x${(first & 0x0f).toString(16)}`, { offset: 0, length: 1 }),
  );
  if (remaining) {
    fields.push(field('mqtt.len', 'Remaining length', String(remaining.value), { offset: 1, length: remaining.size }));
  }
  values['mqtt.type'] = typeName.toLowerCase();
  const parsed = parseMqttPacket(bytes, protocolVersion);
  const version = protocolVersion === 5 ? 'MQTT 5' : protocolVersion === 3 ? 'MQTT 3.1' : 'MQTT 3.1.1';
  if (parsed instanceof Error) {
    const error = `malformed ${typeName}: ${parsed.message}`;
    return {
      layer: { id: 'mqtt', title: `MQ Telemetry Transport (${version})`, error, fields },
      summary: `${typeName} (malformed)`,
      error,
    };
  }
  const w = new RangeWalker(bytes, 1 + (remaining?.size ?? 1));
  const v5 = protocolVersion === 5;
  let summary: string = typeName;
  let payload: MqttDecodeResult['payload'];
  const at = (r: [number, number]) => ({ offset: r[0], length: r[1] });
  const packetId = (id: number | undefined) => {
    if (id === undefined) return;
    values['mqtt.msgid'] = id;
    fields.push(field('mqtt.msgid', 'Packet identifier', String(id), at(w.take(2))));
  };

  switch (parsed.cmd) {
    case 'connect': {
      const p = parsed;
      fields.push(field('mqtt.proto', 'Protocol name', p.protocolId ?? 'MQTT', at(w.string())));
      fields.push(field('mqtt.ver', 'Protocol level', String(p.protocolVersion ?? 4), at(w.take(1))));
      const flags: TrafficField[] = [
        field('mqtt.clean', 'Clean session', String(p.clean ?? true)),
        field('mqtt.willflag', 'Will', String(p.will !== undefined)),
        field('mqtt.userflag', 'User name', String(p.username !== undefined)),
        field('mqtt.passflag', 'Password', String(p.password !== undefined)),
      ];
      fields.push({
        ...field('mqtt.connflags', 'Connect flags', `0x${(bytes[w.pos] ?? 0).toString(16)}`, at(w.take(1))),
        children: flags,
      });
      fields.push(field('mqtt.kalive', 'Keep alive', `${p.keepalive ?? 0} s`, at(w.take(2))));
      if (v5) fields.push(field('mqtt.properties', 'Properties', text(p.properties ?? {}), at(w.properties())));
      fields.push(field('mqtt.clientid', 'Client ID', p.clientId, at(w.string())));
      values['mqtt.clientid'] = p.clientId;
      if (p.will) {
        if (v5) w.properties();
        fields.push(field('mqtt.willtopic', 'Will topic', p.will.topic, at(w.string())));
        fields.push(field('mqtt.willmsg', 'Will message', text(p.will.payload), at(w.string())));
      }
      if (p.username !== undefined) {
        fields.push(field('mqtt.username', 'User name', p.username, at(w.string())));
        values['mqtt.username'] = p.username;
      }
      if (p.password !== undefined) {
        fields.push(field('mqtt.passwd', 'Password', `${p.password.length} bytes (hidden)`, at(w.string())));
      }
      summary = `CONNECT client ${p.clientId}`;
      break;
    }
    case 'connack': {
      const p = parsed;
      const code = p.returnCode ?? p.reasonCode ?? 0;
      const meaning = v5 ? (reasonCodes5[code] ?? 'unknown') : (connackCodes311[code] ?? 'unknown');
      fields.push(field('mqtt.sp', 'Session present', String(p.sessionPresent), at(w.take(1))));
      fields.push(field('mqtt.conack.val', 'Return code', String(code), { ...at(w.take(1)), meaning }));
      values['mqtt.code'] = code;
      summary = `CONNACK ${code} (${meaning})`;
      break;
    }
    case 'publish': {
      const p = parsed;
      values['mqtt.topic'] = p.topic;
      values['mqtt.qos'] = p.qos;
      values['mqtt.retain'] = p.retain;
      values['mqtt.dup'] = p.dup;
      fields.splice(1, 1, {
        ...field('mqtt.flags', 'Flags', `0x${(first & 0x0f).toString(16)}`, { offset: 0, length: 1 }),
        children: [
          field('mqtt.dup', 'DUP', String(p.dup), { offset: 0, length: 1 }),
          field('mqtt.qos', 'QoS', String(p.qos), { offset: 0, length: 1 }),
          field('mqtt.retain', 'Retain', String(p.retain), { offset: 0, length: 1 }),
        ],
      });
      fields.push(field('mqtt.topic', 'Topic', p.topic, at(w.string())));
      if (p.qos > 0) packetId(p.messageId);
      if (v5) fields.push(field('mqtt.properties', 'Properties', text(p.properties ?? {}), at(w.properties())));
      const body = bytes.subarray(w.pos);
      fields.push(field('mqtt.msg', 'Payload', `${body.length} bytes`, { offset: w.pos, length: body.length }));
      payload = { offset: w.pos, bytes: body, topic: p.topic };
      summary = `PUBLISH ${p.topic} QoS ${p.qos}${p.retain ? ' retain' : ''}${p.messageId !== undefined ? ` id ${p.messageId}` : ''}, ${body.length} bytes`;
      break;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      packetId(parsed.messageId);
      if (v5 && parsed.reasonCode !== undefined && w.pos < bytes.length) {
        const code = parsed.reasonCode;
        fields.push(
          field('mqtt.code', 'Reason code', String(code), {
            ...at(w.take(1)),
            meaning: reasonCodes5[code] ?? 'unknown',
          }),
        );
        values['mqtt.code'] = code;
      }
      summary = `${typeName} id ${parsed.messageId ?? '?'}`;
      break;
    }
    case 'subscribe': {
      packetId(parsed.messageId);
      if (v5) fields.push(field('mqtt.properties', 'Properties', text(parsed.properties ?? {}), at(w.properties())));
      const topics: string[] = [];
      for (const s of parsed.subscriptions) {
        const start = w.pos;
        w.string();
        w.take(1);
        topics.push(s.topic);
        fields.push(
          field('mqtt.topic', 'Topic filter', s.topic, {
            offset: start,
            length: w.pos - start,
            meaning: `QoS ${s.qos}`,
          }),
        );
      }
      values['mqtt.topic'] = topics;
      summary = `SUBSCRIBE ${topics.join(', ')} id ${parsed.messageId ?? '?'}`;
      break;
    }
    case 'suback': {
      packetId(parsed.messageId);
      if (v5) fields.push(field('mqtt.properties', 'Properties', text(parsed.properties ?? {}), at(w.properties())));
      const codes = parsed.granted.map((g) => (typeof g === 'number' ? g : Number((g as { qos?: number }).qos ?? 0)));
      for (const code of codes) {
        fields.push(
          field('mqtt.suback.qos', 'Return code', String(code), { ...at(w.take(1)), meaning: subackMeaning(code) }),
        );
      }
      values['mqtt.code'] = codes;
      summary = `SUBACK id ${parsed.messageId ?? '?'} [${codes.join(', ')}]`;
      break;
    }
    case 'unsubscribe': {
      packetId(parsed.messageId);
      if (v5) fields.push(field('mqtt.properties', 'Properties', text(parsed.properties ?? {}), at(w.properties())));
      for (const topic of parsed.unsubscriptions)
        fields.push(field('mqtt.topic', 'Topic filter', topic, at(w.string())));
      values['mqtt.topic'] = parsed.unsubscriptions;
      summary = `UNSUBSCRIBE ${parsed.unsubscriptions.join(', ')}`;
      break;
    }
    case 'unsuback':
      packetId(parsed.messageId);
      summary = `UNSUBACK id ${parsed.messageId ?? '?'}`;
      break;
    case 'disconnect':
    case 'auth':
      if (parsed.reasonCode !== undefined && w.pos < bytes.length) {
        fields.push(
          field('mqtt.code', 'Reason code', String(parsed.reasonCode), {
            ...at(w.take(1)),
            meaning: reasonCodes5[parsed.reasonCode] ?? 'unknown',
          }),
        );
      }
      break;
    default:
      break;
  }
  return { layer: { id: 'mqtt', title: `MQ Telemetry Transport (${version})`, fields }, summary, payload };
}
