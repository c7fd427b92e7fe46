// The serial workbench capability and what other capabilities (the flasher) use from it.
export { createSerialCapability, type SerialCapability } from './serial-capability.js';
export { openSerialLine, type OpenSerialLine, type SerialLine } from './serial-line.js';
export { PortRegistry, PortBusyError, type PortOwner, type TakeOver } from './port-registry.js';
