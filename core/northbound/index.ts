// The northbound compatibility API: its capability and the name of its listener.
export { createNorthboundCapability, NORTHBOUND_PORT_NAME, type NorthboundDeps } from './northbound-capability.js';
