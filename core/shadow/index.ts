// Device shadow: the capability, its service, and property delivery through core/commands (config uses it too).
export { createShadowCapability, type ShadowCapability, type ShadowCapabilityDeps } from './shadow-capability.js';
export {
  checkDesired,
  sameValue,
  ShadowService,
  type DesiredDeliveryResult,
  type ShadowDevices,
} from './shadow-service.js';
export {
  DELIVERY_EXPIRE_S,
  deliveryOutcome,
  deliveryState,
  failureReason,
  planPropertyDelivery,
  sendProperties,
  type CommandPort,
} from './property-delivery.js';
