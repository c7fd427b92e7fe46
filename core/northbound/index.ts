// The northbound compatibility API: its capability and the name of its listener.
export { createNorthboundCapability, NORTHBOUND_PORT_NAME, type NorthboundDeps } from './northbound-capability.js';
export { parse as parseNorthbound, timeBound, type NorthboundContext } from './northbound-context.js';
export { northboundDevice } from './device-view.js';
export { formatNorthboundTime } from './northbound-time.js';
export { NorthboundError, invalidInput } from './northbound-errors.js';
