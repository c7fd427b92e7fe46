// Command requests of both dialects: legacy `cloudReq` with the platform's 2-byte mid (§2.4) on the command topic,
// IoTDA `{object_device_id, service_id, command_name, paras}` on `sys/commands/request_id={rid}` (§3.2).
import { iotdaCommandTopic, iotdaMessageDownTopic, legacyCommandTopic } from './device-topics.js';

export interface CommandRequest {
  serviceId: string;
  commandName: string;
  paras: Record<string, unknown>;
}

export interface EncodedCommand {
  topic: string;
  payload: string;
}

export function legacyCommand(deviceId: string, mid: number, command: CommandRequest): EncodedCommand {
  return {
    topic: legacyCommandTopic(deviceId),
    payload: JSON.stringify({
      msgType: 'cloudReq',
      serviceId: command.serviceId,
      cmd: command.commandName,
      paras: command.paras,
      hasMore: 0,
      mid,
    }),
  };
}

export function iotdaCommand(deviceId: string, requestId: string, command: CommandRequest): EncodedCommand {
  return {
    topic: iotdaCommandTopic(deviceId, requestId),
    payload: JSON.stringify({
      object_device_id: deviceId,
      service_id: command.serviceId,
      command_name: command.commandName,
      paras: command.paras,
    }),
  };
}

/** Platform-initiated property set (§3.2): `{object_device_id, services:[{service_id, properties}]}`. */
export function iotdaPropertiesSet(
  deviceId: string,
  requestId: string,
  serviceId: string,
  properties: Record<string, unknown>,
): EncodedCommand {
  return {
    topic: `$oc/devices/${deviceId}/sys/properties/set/request_id=${requestId}`,
    payload: JSON.stringify({ object_device_id: deviceId, services: [{ service_id: serviceId, properties }] }),
  };
}

/** Platform-initiated property get (§3.2): `{object_device_id, service_id}`. */
export function iotdaPropertiesGet(deviceId: string, requestId: string, serviceId: string): EncodedCommand {
  return {
    topic: `$oc/devices/${deviceId}/sys/properties/get/request_id=${requestId}`,
    payload: JSON.stringify({ object_device_id: deviceId, service_id: serviceId }),
  };
}

/** `sys/messages/down` in the platform's envelope `{object_device_id, name, id, content}`, or the content as is. */
export function iotdaMessage(
  deviceId: string,
  id: string,
  name: string,
  content: unknown,
  raw: boolean,
): EncodedCommand {
  const text = typeof content === 'string' ? content : JSON.stringify(content ?? null);
  return {
    topic: iotdaMessageDownTopic(deviceId),
    payload: raw
      ? text
      : JSON.stringify({ object_device_id: deviceId, name: name || null, id, content: content ?? null }),
  };
}
