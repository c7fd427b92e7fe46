// Commands to devices: the capability, its service and the status-callback port it is wired with.
export {
  createCommandsCapability,
  type CommandsCapability,
  type CommandsCapabilityDeps,
} from './commands-capability.js';
export {
  ACK_TIMEOUT_MS,
  CommandService,
  MQTT_ONLINE_GRACE_MS,
  statusCallbackBody,
  type CommandCallbacks,
  type CommandDevices,
} from './command-service.js';
export type { CommandFilter } from './command-store.js';
export { CommandBatches, type BatchDevices, type BatchTaskInfo } from './command-batches.js';
