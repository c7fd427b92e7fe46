// Command requests of both dialects: legacy `cloudReq` with the platform's 2-byte mid (§2.4) on the command topic,
// IoTDA `{object_device_id, service_id, command_name, paras}` on `sys/commands/request_id={rid}` (§3.2).
import { iotdaCommandTopic, legacyCommandTopic } from './device-topics.js';

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
