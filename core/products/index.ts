// What other capabilities use of products: the service, identity lookup, the usage hook, profile packages.
export { createProductsCapability, ProfileImportError, type ProductsCapability } from './products-capability.js';
export {
  ProductService,
  newProductId,
  type DeviceUsageProvider,
  type ProductChange,
  type ProductIdentity,
  type ProductSource,
} from './product-service.js';
export {
  readProfileZip,
  readProfileEntries,
  writeProfileZip,
  profileFiles,
  profileZipName,
  type ProfileIssue,
  type ProfileReadResult,
} from './profile-package.js';
export { checkProductModel, formatPath, type ModelIssue } from './model-rules.js';
export { checkField } from './model-values.js';
