// What other capabilities use of packages: the capability, the library, the in-use hook and version matching.
export { createPackagesCapability, type PackagesCapability } from './packages-capability.js';
export {
  PackageLibrary,
  type PackageInUseCheck,
  type ProductIdentityLookup,
  type ProductIdentity,
} from './package-library.js';
export { sourceVersionAllowed, wildcardMatches } from './source-versions.js';
export { buildFirmwarePackage, buildSoftwarePackage } from './package-builder.js';
