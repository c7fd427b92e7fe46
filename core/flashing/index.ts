// What other parts of the workbench (composition, CLI) use of flashing.
export { createFlashingCapability, type FlashingCapability } from './flashing-capability.js';
export { FlashService } from './flash-service.js';
