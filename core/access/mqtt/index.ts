// MQTT device access: the capability and the pure pieces other adapters and tests use.
export {
  createMqttAccessCapability,
  type MqttAccessCapability,
  type MqttAccessDeps,
  type Dialect,
  type DeviceMessage,
} from './mqtt-access.js';
export { parseDynamicClientId, secretAckTopic, secretNotifyTopic, secretNotifyPayload } from './dynamic-secret.js';
