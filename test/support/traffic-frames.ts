// Builds `frame` bus events as the MQTT and CoAP adapters will publish them, from mqtt-packet / coap-packet bytes.
import coapPacket, { type Packet as CoapPacket } from 'coap-packet';
import mqttPacket, { type Packet as MqttPacket } from 'mqtt-packet';
import type { BusEventMap } from '../../core/contract/events.js';

export type FrameEvent = BusEventMap['frame'];

let clockUs = Date.UTC(2026, 0, 1) * 1000;

export function mqttFrame(
  packet: MqttPacket,
  init: Partial<FrameEvent> & { protocolVersion?: number } = {},
): FrameEvent {
  const { protocolVersion = 4, ...rest } = init;
  const bytes = mqttPacket.generate(packet, { protocolVersion });
  clockUs += 1500;
  return {
    at: Math.floor(clockUs / 1000),
    timeUs: clockUs,
    direction: 'in',
    transport: 'tcp',
    protocol: 'mqtt',
    local: '127.0.0.1:1883',
    peer: '127.0.0.1:50001',
    connectionId: 'c1',
    bytesBase64: bytes.toString('base64'),
    ...rest,
  };
}

export function coapFrame(packet: CoapPacket, init: Partial<FrameEvent> = {}): FrameEvent {
  const bytes = coapPacket.generate(packet);
  clockUs += 1500;
  return {
    at: Math.floor(clockUs / 1000),
    timeUs: clockUs,
    direction: 'in',
    transport: 'udp',
    protocol: 'coap',
    local: '127.0.0.1:5683',
    peer: '127.0.0.1:56830',
    bytesBase64: bytes.toString('base64'),
    ...init,
  };
}

export function rawFrame(bytes: Uint8Array, init: Partial<FrameEvent> = {}): FrameEvent {
  clockUs += 1500;
  return {
    at: Math.floor(clockUs / 1000),
    timeUs: clockUs,
    direction: 'in',
    transport: 'udp',
    protocol: 'raw',
    local: '127.0.0.1:5683',
    peer: '127.0.0.1:56830',
    bytesBase64: Buffer.from(bytes).toString('base64'),
    ...init,
  };
}

/** A small MQTT session and an LwM2M one with a PCP exchange over /19. */
export function sampleSession(encodePcp: (hex: string) => Buffer): FrameEvent[] {
  const out = { direction: 'out' as const };
  return [
    mqttFrame(
      {
        cmd: 'connect',
        clientId: 'dev-1_0_0_2026010100',
        protocolVersion: 4,
        keepalive: 60,
        clean: true,
        username: 'dev-1',
        password: Buffer.from('x'),
      },
      { deviceId: 'dev-1' },
    ),
    mqttFrame({ cmd: 'connack', returnCode: 0, sessionPresent: false }, { ...out, deviceId: 'dev-1' }),
    mqttFrame(
      { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '/huawei/v1/devices/dev-1/command/json', qos: 1 }] },
      { deviceId: 'dev-1' },
    ),
    mqttFrame({ cmd: 'suback', messageId: 1, granted: [1] }, { ...out, deviceId: 'dev-1' }),
    mqttFrame(
      {
        cmd: 'publish',
        topic: '/huawei/v1/devices/dev-1/data/json',
        payload: Buffer.from('{"temperature":21.5}'),
        qos: 1,
        messageId: 2,
        retain: false,
        dup: false,
      },
      { deviceId: 'dev-1' },
    ),
    mqttFrame({ cmd: 'puback', messageId: 2 }, { ...out, deviceId: 'dev-1' }),
    coapFrame({
      code: '0.02',
      confirmable: true,
      messageId: 100,
      token: Buffer.from('a1', 'hex'),
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Uri-Query', value: Buffer.from('ep=imei-8640') },
        { name: 'Uri-Query', value: Buffer.from('lt=86400') },
      ],
      payload: Buffer.from('</3/0>,</19/0>'),
    }),
    coapFrame(
      {
        code: '2.01',
        ack: true,
        messageId: 100,
        token: Buffer.from('a1', 'hex'),
        options: [
          { name: 'Location-Path', value: Buffer.from('rd') },
          { name: 'Location-Path', value: Buffer.from('x7') },
        ],
      },
      { direction: 'out', deviceId: 'imei-8640' },
    ),
    coapFrame(
      {
        code: '0.01',
        confirmable: true,
        messageId: 7,
        token: Buffer.from('b2', 'hex'),
        options: [
          { name: 'Observe', value: Buffer.alloc(0) },
          { name: 'Uri-Path', value: Buffer.from('19') },
          { name: 'Uri-Path', value: Buffer.from('0') },
          { name: 'Uri-Path', value: Buffer.from('0') },
        ],
      },
      { direction: 'out', deviceId: 'imei-8640' },
    ),
    coapFrame(
      {
        code: '2.05',
        ack: true,
        messageId: 7,
        token: Buffer.from('b2', 'hex'),
        options: [
          { name: 'Observe', value: Buffer.from([1]) },
          { name: 'Content-Format', value: Buffer.from([42]) },
        ],
        payload: Buffer.from('0102', 'hex'),
      },
      { deviceId: 'imei-8640' },
    ),
    coapFrame(
      {
        code: '2.05',
        confirmable: false,
        messageId: 8,
        token: Buffer.from('b2', 'hex'),
        options: [
          { name: 'Observe', value: Buffer.from([2]) },
          { name: 'Content-Format', value: Buffer.from([42]) },
        ],
        payload: encodePcp('FFFE01155618001256312E300000000000000000000000000000'),
      },
      { deviceId: 'imei-8640' },
    ),
    coapFrame(
      {
        code: '0.03',
        confirmable: true,
        messageId: 9,
        token: Buffer.from('c3', 'hex'),
        options: [
          { name: 'Uri-Path', value: Buffer.from('19') },
          { name: 'Uri-Path', value: Buffer.from('1') },
          { name: 'Uri-Path', value: Buffer.from('0') },
        ],
        payload: encodePcp('FFFE0117CF900000'),
      },
      { direction: 'out', deviceId: 'imei-8640' },
    ),
    coapFrame(
      {
        code: '0.02',
        confirmable: true,
        messageId: 10,
        token: Buffer.from('d4', 'hex'),
        options: [
          { name: 'Uri-Path', value: Buffer.from('3') },
          { name: 'Uri-Path', value: Buffer.from('0') },
          { name: 'Uri-Path', value: Buffer.from('4') },
        ],
      },
      { direction: 'out', deviceId: 'imei-8640' },
    ),
    coapFrame({
      code: '0.02',
      confirmable: true,
      messageId: 11,
      token: Buffer.from('e5', 'hex'),
      options: [
        { name: 'Block1', value: Buffer.from([0x0e]) },
        { name: 'Uri-Path', value: Buffer.from('fw') },
      ],
      payload: Buffer.alloc(1024, 1),
    }),
  ];
}
