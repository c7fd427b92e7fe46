// MQTT device access: the capability (with its half of the device link) and the pure pieces other adapters and tests use.
export { createMqttAccessCapability, type MqttAccessCapability, type MqttAccessDeps } from './mqtt-access.js';
export {
  parseDynamicClientId,
  secretAckTopic,
  secretNotifyTopic,
  secretNotifyPayload,
} from '../../protocols/mqtt/dynamic-credentials.js';
