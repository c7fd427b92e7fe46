// The products capability: its table, its routes, and the service other capabilities call.
import { DomainError } from '../domain-error.js';
import type { Capability } from '../capability.js';
import { productModelSchema, type ProductModel, type ProtocolType } from '../contract/product-model.js';
import { productRoutes, type ModelIssueView, type ProductSample } from '../contract/products.js';
import { checkProductModel, formatPath } from './model-rules.js';
import { defaultSamplesDir, listSampleNames, readSample } from './product-samples.js';
import { productMigrations, ProductService, type DeviceUsageProvider } from './product-service.js';
import type { SecretBoxProvider } from './product-secrets.js';
import { readProfileZip, writeProfileZip, type ProfileIssue } from './profile-package.js';

/** A refused import: the error body carries the file inside the zip next to the JSON path. */
export class ProfileImportError extends DomainError {
  constructor(
    readonly issue: ProfileIssue,
    warnings: ProfileIssue[],
  ) {
    super(issue.code, issue.file ? `${issue.file}: ${issue.message}` : issue.message, issue.path, {
      file: issue.file,
      path: issue.path,
      warnings,
    });
  }

  override toBody() {
    return { ...super.toBody(), file: this.issue.file };
  }
}

export interface ProductsCapability extends Capability {
  /** Available once the capability started. */
  readonly service: ProductService;
  /** A product's id, protocol and model, cached: cheap enough for every login and uplink. */
  lookup(id: string): ProductLookupEntry | undefined;
}

export interface ProductLookupEntry {
  id: string;
  protocolType: ProtocolType;
  model: ProductModel;
}

export interface ProductsCapabilityOptions {
  /** Folder of sample profiles; resources/samples/products of the package by default. */
  samplesDir?: string;
  /** How many devices use a product (the device registry's count). */
  deviceUsage?: DeviceUsageProvider;
  /** Product secrets are sealed with the device secrets' key. */
  secretBox?: SecretBoxProvider;
}

export function createProductsCapability(options: ProductsCapabilityOptions = {}): ProductsCapability {
  let service: ProductService | undefined;
  const samplesDir = options.samplesDir ?? defaultSamplesDir();

  const started = (): ProductService => {
    if (!service) throw new Error('the products capability has not started');
    return service;
  };

  return {
    name: 'products',
    migrations: productMigrations,
    get service() {
      return started();
    },
    lookup(id) {
      const model = started().model(id);
      return model && { id, protocolType: model.protocolType, model };
    },

    start({ db, clock, routes, logger }) {
      const products = new ProductService(db, clock, {
        ...(options.deviceUsage ? { deviceUsage: options.deviceUsage } : {}),
        ...(options.secretBox ? { secretBox: options.secretBox } : {}),
      });
      service = products;

      routes.add(productRoutes.listProducts, ({ query }) => products.list(query));
      routes.add(productRoutes.createProduct, ({ body }) => products.create(body, 'hand'));
      routes.add(productRoutes.getProduct, ({ params }) => products.require(params.id));
      routes.add(productRoutes.updateProduct, ({ params, body }) =>
        products.update(params.id, body.model, body.expectedVersion),
      );
      routes.add(productRoutes.updateProductOmCapability, ({ params, body }) =>
        products.updateOmCapability(params.id, body),
      );
      routes.add(productRoutes.deleteProduct, ({ params }) => {
        products.delete(params.id);
        return { deleted: true as const };
      });

      const productSecret = (productId: string, secret: string | undefined) => {
        if (secret === undefined)
          throw new DomainError('PRODUCT_NOT_FOUND', `no product with id "${productId}"`, 'params.id');
        return { productId, secret };
      };
      routes.add(productRoutes.getProductSecret, ({ params }) =>
        productSecret(params.id, products.secrets.secret(params.id)),
      );
      routes.add(productRoutes.resetProductSecret, ({ params, body }) => {
        const reset = productSecret(params.id, products.secrets.reset(params.id, body.secret));
        logger.info(`product ${params.id}: product secret reset; logins with the old one are refused from now on`);
        return reset;
      });

      routes.add(productRoutes.importProduct, async ({ body }) => {
        const result = await readProfileZip(body);
        if (!result.ok) {
          logger.info(`profile import refused: ${result.error.code} ${result.error.file} ${result.error.path}`);
          throw new ProfileImportError(result.error, result.warnings);
        }
        const product = products.create(result.model, 'import');
        logger.info(`imported product ${product.id} (${product.model.deviceType} ${product.model.model})`);
        return product;
      });
      routes.add(productRoutes.exportProduct, async ({ params }) => {
        const { fileName, bytes } = await writeProfileZip(products.require(params.id).model);
        return { contentType: 'application/zip', fileName, bytes };
      });

      routes.add(productRoutes.validateProductModel, ({ body }) => {
        const parsed = productModelSchema.safeParse(body);
        if (!parsed.success) {
          const issues: ModelIssueView[] = parsed.error.issues.map((i) => ({
            severity: 'error',
            code: 'INVALID_FIELD',
            message: i.message,
            path: formatPath(i.path.filter((p): p is string | number => typeof p !== 'symbol')),
          }));
          return { valid: false, issues };
        }
        const issues = checkProductModel(parsed.data).map((i) => ({ ...i, path: formatPath(i.path) }));
        return { valid: !issues.some((i) => i.severity === 'error'), issues };
      });

      routes.add(productRoutes.listProductSamples, () => {
        const items: ProductSample[] = [];
        for (const name of listSampleNames(samplesDir)) {
          const sample = readSample(samplesDir, name);
          if (!sample?.ok) {
            logger.warn(`sample product ${name} is broken: ${sample?.ok === false ? sample.error.message : ''}`);
            continue;
          }
          const m = sample.model;
          items.push({
            name,
            deviceType: m.deviceType,
            manufacturerName: m.manufacturerName,
            manufacturerId: m.manufacturerId,
            model: m.model,
            protocolType: m.protocolType,
            description: m.description,
            serviceCount: m.services.length,
            productId: products.findByIdentity({ manufacturerId: m.manufacturerId, model: m.model })?.id,
          });
        }
        return { items };
      });
      routes.add(productRoutes.createProductFromSample, ({ params }) => {
        const sample = readSample(samplesDir, params.name);
        if (!sample) throw new DomainError('SAMPLE_NOT_FOUND', `no sample product "${params.name}"`, 'params.name');
        if (!sample.ok) throw new ProfileImportError(sample.error, sample.warnings);
        return products.create(sample.model, `sample:${params.name}`);
      });
    },

    stop() {
      service = undefined;
    },
  };
}
