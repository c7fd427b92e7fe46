// Reads the few fields of whole MQTT 3.1.1 packets that downlink delivery needs: a PUBLISH's topic, QoS, packet id
// and payload, and the packet id a PUBACK acknowledges. Bad input is undefined, never a throw.

export interface PublishFields {
  qos: 0 | 1 | 2;
  topic: string;
  /** Present for QoS 1 and 2. */
  packetId?: number;
  payload: Buffer;
}

/** The remaining length and where the variable header starts, or undefined when the bytes are not a packet. */
function body(packet: Uint8Array): { start: number; length: number } | undefined {
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4 && i < packet.length; i++) {
    const byte = packet[i] ?? 0;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) return i + 1 + length === packet.length ? { start: i + 1, length } : undefined;
  }
  return undefined;
}

export function readPublish(packet: Uint8Array): PublishFields | undefined {
  const first = packet[0] ?? 0;
  if (first >> 4 !== 3) return undefined;
  const qos = (first >> 1) & 3;
  if (qos === 3) return undefined;
  const at = body(packet);
  if (!at) return undefined;
  const bytes = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (at.length < 2) return undefined;
  const topicLength = bytes.readUInt16BE(at.start);
  let offset = at.start + 2 + topicLength;
  if (offset > bytes.length) return undefined;
  const topic = bytes.toString('utf8', at.start + 2, offset);
  let packetId: number | undefined;
  if (qos > 0) {
    if (offset + 2 > bytes.length) return undefined;
    packetId = bytes.readUInt16BE(offset);
    offset += 2;
  }
  return {
    qos: qos as 0 | 1 | 2,
    topic,
    ...(packetId === undefined ? {} : { packetId }),
    payload: bytes.subarray(offset),
  };
}

/** The packet id of a PUBACK, undefined for any other packet. */
export function readPuback(packet: Uint8Array): number | undefined {
  if (packet[0] !== 0x40) return undefined;
  const at = body(packet);
  if (!at || at.length < 2) return undefined;
  return ((packet[at.start] ?? 0) << 8) | (packet[at.start + 1] ?? 0);
}
