// Configuration update: the capability and its service.
export { createConfigCapability, type ConfigCapability, type ConfigCapabilityDeps } from './config-capability.js';
export { ConfigService, mergeConfigs } from './config-service.js';
