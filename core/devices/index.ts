// What other capabilities use of devices: the registry (lookup, secrets, status) and the status engine.
export { createDevicesCapability, type DevicesCapability } from './devices-capability.js';
export { DeviceRegistry, type ProductDirectory, type RegistryChange, isShortConnection } from './device-registry.js';
export { DeviceStatusEngine, OFFLINE_GRACE_MS } from './device-status.js';
export { parseCsv, csvLine } from './csv.js';
export type { SecretBox } from './secret-box.js';
export { deviceIdOf } from './device-id.js';
export { DeviceTags, unknownDevices } from './device-tags.js';
