// Commands to MQTT devices over the downlink, in the device's dialect, and their responses: matched to the waiting
// command (mid / request_id), published as command events and reported on the device link.
import type { EventBus } from '../../bus/event-bus.js';
import type { Clock } from '../../clock.js';
import type { DeviceLinkReports, MqttDownlink } from '../../device-link/index.js';
import type { Logger } from '../../log/logger.js';
import { iotdaCommand, legacyCommand, type CommandRequest } from '../../protocols/mqtt/downlink-payloads.js';
import { CommandCorrelation, DEFAULT_COMMAND_TIMEOUT_MS, type CommandResponse } from './command-correlation.js';

export type SentCommand =
  { sent: false } | { sent: true; commandId: string; topic: string; response: Promise<CommandResponse | undefined> };

export interface DeviceCommands {
  /** `response` resolves with the device's answer, or undefined after the timeout (default 30 s). */
  send(deviceId: string, command: CommandRequest, options?: { timeoutMs?: number }): Promise<SentCommand>;
  /** A command response from a device, whether or not a command waits for it. */
  answered(response: Omit<CommandResponse, 'matched'>): void;
  stop(): void;
}

export function createDeviceCommands(deps: {
  clock: Clock;
  bus: EventBus;
  log: Logger;
  link: DeviceLinkReports;
  downlink: MqttDownlink;
}): DeviceCommands {
  const { clock, bus, log, link, downlink } = deps;
  const correlation = new CommandCorrelation(clock);
  return {
    async send(deviceId, command, options = {}) {
      const dialect = downlink.dialectOf(deviceId);
      if (!dialect) return { sent: false };
      const mid = dialect === 'legacy' ? correlation.allocateMid(deviceId) : undefined;
      const commandId = mid === undefined ? correlation.allocateRequestId() : String(mid);
      const { topic, payload } =
        mid === undefined ? iotdaCommand(deviceId, commandId, command) : legacyCommand(deviceId, mid, command);
      // Waiting starts before publishing: a fast device may answer before the PUBACK is handled.
      const response = correlation.expect(deviceId, commandId, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
      const sent = await downlink.publish(deviceId, { payload, topic, qos: 1 });
      if (!sent.sent) {
        correlation.cancel(deviceId, commandId);
        return { sent: false };
      }
      return { sent: true, commandId, topic, response };
    },

    answered(response) {
      const settled = correlation.settle(response);
      const at = clock.now();
      bus.publish('command', {
        at,
        deviceId: response.deviceId,
        commandId: response.commandId,
        status: response.resultCode === 0 ? 'SUCCESSFUL' : 'FAILED',
      });
      if (!settled.matched)
        log.info(`${response.deviceId} answered command ${response.commandId}, which is not waiting for an answer`);
      link.response({
        at,
        deviceId: response.deviceId,
        protocol: 'mqtt',
        commandId: response.commandId,
        resultCode: response.resultCode,
        ...(response.responseName === undefined ? {} : { responseName: response.responseName }),
        body: response.body,
      });
    },

    stop: () => correlation.cancelAll(),
  };
}
