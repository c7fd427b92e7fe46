// Gateways and sub-devices: what the composition root and other capabilities use.
export { createGatewaysCapability, type GatewaysCapability } from './gateways-capability.js';
export { SUB_DEVICE_SERVICE, parseSubDeviceRequest } from './sub-device-events.js';
