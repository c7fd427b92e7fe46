// One attempt to put a command on the wire through the device link: MQTT in the device's dialect (legacy cloudReq with
// its mid, IoTDA sys/commands, sys/properties/set|get, sys/messages/down) or LwM2M (codec bytes, CON write to /19/1/0).
import type { CodecCommand } from '../contract/codecs.js';
import type { CommandKind } from '../contract/commands.js';
import type { DeviceLink, DeviceProtocol } from '../device-link/index.js';
import { Lwm2mServerError } from '../device-link/index.js';
import {
  iotdaCommand,
  iotdaMessage,
  iotdaPropertiesGet,
  iotdaPropertiesSet,
  legacyCommand,
  type EncodedCommand,
} from '../protocols/mqtt/downlink-payloads.js';

export type CodecEncode = (
  productId: string,
  command: CodecCommand,
) => Promise<{ ok: true; bytes?: Uint8Array } | { ok: false; error: { code: string; message: string } }>;

export interface OutgoingCommand {
  commandId: string;
  deviceId: string;
  productId: string;
  kind: CommandKind;
  serviceId: string;
  method: string;
  paras: Record<string, unknown>;
  raw: boolean;
  /** The mid this command keeps on every attempt; allocated on its first. */
  mid: () => number;
}

/** The device's ACK of the downlink: MQTT PUBACK, CoAP ACK (2.04) of the write. */
export type AckOutcome =
  | { acked: true }
  /** The device refused it (a CoAP 4.xx/5.xx answer): the command failed. */
  | { acked: false; refused: string }
  /** No ACK came on this path (the session closed, the CON write timed out): the 180 s timer decides. */
  | { acked: false; lost: string };

export type Attempt =
  | { outcome: 'unreachable'; reason: string }
  /** It cannot be sent to this device at all (no codec, the dialect has no such downlink). */
  | { outcome: 'refused'; reason: string }
  | {
      outcome: 'sent';
      protocol: DeviceProtocol;
      topic?: string;
      bytesHex: string;
      codec: boolean;
      mid?: number;
      /** The id the device's answer comes back with (mid as text, or the IoTDA request_id). */
      correlation?: string;
      ack: Promise<AckOutcome>;
    };

function mqttDownlink(
  command: OutgoingCommand,
  dialect: 'legacy' | 'iotda',
): { encoded: EncodedCommand; mid?: number; correlation?: string } | string {
  const { deviceId, commandId, serviceId, paras } = command;
  switch (command.kind) {
    case 'command': {
      if (dialect === 'iotda')
        return {
          encoded: iotdaCommand(deviceId, commandId, { serviceId, commandName: command.method, paras }),
          correlation: commandId,
        };
      const mid = command.mid();
      return {
        encoded: legacyCommand(deviceId, mid, { serviceId, commandName: command.method, paras }),
        mid,
        correlation: String(mid),
      };
    }
    case 'propertiesSet':
      if (dialect === 'legacy') return 'property set is an IoTDA downlink; the device speaks the legacy dialect';
      return { encoded: iotdaPropertiesSet(deviceId, commandId, serviceId, paras), correlation: commandId };
    case 'propertiesGet':
      if (dialect === 'legacy') return 'property get is an IoTDA downlink; the device speaks the legacy dialect';
      return { encoded: iotdaPropertiesGet(deviceId, commandId, serviceId), correlation: commandId };
    case 'message':
      if (dialect === 'legacy') return 'messages down are an IoTDA downlink; the device speaks the legacy dialect';
      return { encoded: iotdaMessage(deviceId, commandId, command.method, paras['content'], command.raw) };
  }
}

export async function attemptDelivery(
  link: DeviceLink,
  encode: CodecEncode,
  command: OutgoingCommand,
  ackTimeoutMs: number,
): Promise<Attempt> {
  const protocol = link.reachableBy(command.deviceId);
  if (!protocol) return { outcome: 'unreachable', reason: 'the device is not online' };

  if (protocol === 'mqtt') {
    const dialect = link.mqtt.dialectOf(command.deviceId);
    if (!dialect) return { outcome: 'unreachable', reason: 'the device is not online' };
    const built = mqttDownlink(command, dialect);
    if (typeof built === 'string') return { outcome: 'refused', reason: built };
    const sent = await link.mqtt.publish(command.deviceId, {
      topic: built.encoded.topic,
      payload: built.encoded.payload,
      qos: 1,
    });
    if (!sent.sent) return { outcome: 'unreachable', reason: sent.reason };
    return {
      outcome: 'sent',
      protocol,
      topic: sent.topic,
      bytesHex: Buffer.from(built.encoded.payload).toString('hex'),
      codec: false,
      ...(built.mid !== undefined ? { mid: built.mid } : {}),
      ...(built.correlation !== undefined ? { correlation: built.correlation } : {}),
      ack: sent.delivered.then((ok) =>
        ok ? { acked: true } : { acked: false, lost: 'the session closed before PUBACK' },
      ),
    };
  }

  if (command.kind !== 'command') return { outcome: 'refused', reason: `${command.kind} is an MQTT downlink` };
  const mid = command.mid();
  const encoded = await encode(command.productId, {
    serviceId: command.serviceId,
    name: command.method,
    paras: command.paras,
    mid,
  });
  if (!encoded.ok) return { outcome: 'refused', reason: `the codec cannot encode it: ${encoded.error.message}` };
  if (!encoded.bytes) return { outcome: 'refused', reason: 'the codec returned no bytes' };
  const bytes = encoded.bytes;
  const ack = link.lwm2m.writeDownlink(command.deviceId, bytes, { timeoutMs: ackTimeoutMs }).then(
    (r): AckOutcome =>
      r.ok ? { acked: true } : { acked: false, refused: `the device answered ${r.code} ${r.codeName}` },
    (error: unknown): AckOutcome =>
      error instanceof Lwm2mServerError && error.code === 'RESET'
        ? { acked: false, refused: 'the device reset the write' }
        : { acked: false, lost: error instanceof Error ? error.message : String(error) },
  );
  return {
    outcome: 'sent',
    protocol,
    topic: '/19/1/0',
    bytesHex: Buffer.from(bytes).toString('hex'),
    codec: true,
    mid,
    correlation: String(mid),
    ack,
  };
}
