// What other capabilities use of packages: the capability, the library, the in-use hook and version matching.
export { createPackagesCapability, type PackagesCapability } from './packages-capability.js';
export {
  PackageLibrary,
  packageMigrations,
  type PackageInUseCheck,
  type ProductIdentityLookup,
  type ProductIdentity,
  type VerifiedBinary,
} from './package-library.js';
export { sourceVersionAllowed, wildcardMatches } from './source-versions.js';
export { buildFirmwarePackage, buildSoftwarePackage } from './package-builder.js';
