// OTA upgrades: the capability and its service; the package library lives in ./packages.
export { createOtaCapability, type OtaCapability, type OtaCapabilityDeps } from './ota-capability.js';
export { OtaService, methodFor, TASK_WAIT_MS } from './ota-service.js';
export { coverageLevelOf, coverageLimit } from './coverage.js';
// What flashing uses of the package library: reading a verified binary.
export { PackageLibrary, packageMigrations, type VerifiedBinary } from './packages/index.js';
