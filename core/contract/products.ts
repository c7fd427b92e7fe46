// Contract of the product-model routes: list/search, create, edit, delete, profile zip import/export, samples.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';
import { omCapabilitySchema, productModelSchema, protocolTypes } from './product-model.js';

export const modelIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  /** JSON path in the model (`services[0].properties[2].max`) or, for an import, in `file`. */
  path: z.string(),
  /** For issues of an imported package: the file inside the zip. */
  file: z.string().optional(),
});
export type ModelIssueView = z.infer<typeof modelIssueSchema>;

export const productSchema = z.object({
  /** 24 lowercase hex digits, like the platform's product_id; deviceIds are `<productId>_<nodeId>`. */
  id: z.string(),
  model: productModelSchema,
  /** Increases with every saved change. */
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Devices registered with this product (edits other than omCapability and deletion need 0). */
  deviceCount: z.number().int(),
  /** Naming-convention and other non-blocking findings. */
  warnings: z.array(modelIssueSchema),
});
export type Product = z.infer<typeof productSchema>;

export const productSummarySchema = z.object({
  id: z.string(),
  deviceType: z.string(),
  manufacturerId: z.string(),
  manufacturerName: z.string(),
  model: z.string(),
  protocolType: z.enum(protocolTypes),
  serviceCount: z.number().int(),
  deviceCount: z.number().int(),
  updatedAt: z.string(),
});
export type ProductSummary = z.infer<typeof productSummarySchema>;

export const productListQuerySchema = z.object({
  /** Matches deviceType, manufacturer id or name, and model (case-insensitive substring). */
  q: z.string().max(128).optional(),
  protocolType: z.enum(protocolTypes).optional(),
  manufacturerId: z.string().max(64).optional(),
  model: z.string().max(64).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ProductListQuery = z.input<typeof productListQuerySchema>;

export const productSampleSchema = z.object({
  /** Folder name under resources/samples/products, e.g. `WaterMeter_TestUtf8ManuId_NBIoTDevice`. */
  name: z.string(),
  deviceType: z.string(),
  manufacturerName: z.string(),
  manufacturerId: z.string(),
  model: z.string(),
  protocolType: z.enum(protocolTypes),
  description: z.string().optional(),
  serviceCount: z.number().int(),
  /** Id of the product already created from it, if any. */
  productId: z.string().optional(),
});
export type ProductSample = z.infer<typeof productSampleSchema>;

const idParams = z.object({ id: z.string().min(1).max(64) });

/** Like an MQTT device secret: 8–64 printable ASCII characters without spaces. */
export const productSecretValueSchema = z
  .string()
  .min(8, 'a product secret is 8–64 characters')
  .max(64, 'a product secret is 8–64 characters')
  .regex(/^[\x21-\x7e]+$/, 'a product secret is printable ASCII without spaces');

export const productSecretSchema = z.object({ productId: z.string(), secret: z.string() });
export type ProductSecret = z.infer<typeof productSecretSchema>;

export const productRoutes = {
  listProducts: defineRoute({
    method: 'GET',
    path: '/api/products',
    tag: 'products',
    summary: 'List or search product models, newest change first',
    query: productListQuerySchema,
    response: z.object({ items: z.array(productSummarySchema), total: z.number().int() }),
  }),
  createProduct: defineRoute({
    method: 'POST',
    path: '/api/products',
    tag: 'products',
    summary: 'Create a product model by hand (a pass-through product has no services)',
    body: productModelSchema,
    response: productSchema,
    status: 201,
  }),
  importProduct: defineRoute({
    method: 'POST',
    // `::` is a literal colon for fastify: the route is POST /api/products:import.
    path: '/api/products::import',
    tag: 'products',
    summary:
      'Import a profile package zip (body: the zip bytes, Content-Type application/zip); 400 names the file and JSON path at fault',
    body: 'binary',
    response: productSchema,
    status: 201,
  }),
  listProductSamples: defineRoute({
    method: 'GET',
    path: '/api/products/samples',
    tag: 'products',
    summary: 'The sample products shipped with the workbench',
    response: z.object({ items: z.array(productSampleSchema) }),
  }),
  createProductFromSample: defineRoute({
    method: 'POST',
    path: '/api/products/samples/:name',
    tag: 'products',
    summary: 'Create a product from a shipped sample',
    params: z.object({ name: z.string().min(1).max(128) }),
    response: productSchema,
    status: 201,
  }),
  getProduct: defineRoute({
    method: 'GET',
    path: '/api/products/:id',
    tag: 'products',
    summary: 'One product model',
    params: idParams,
    response: productSchema,
  }),
  updateProduct: defineRoute({
    method: 'PUT',
    path: '/api/products/:id',
    tag: 'products',
    summary: 'Replace the model (only while no device uses it, except for omCapability changes)',
    params: idParams,
    body: z.object({
      model: productModelSchema,
      /** When given, the save is refused (409) if someone saved a newer version meanwhile. */
      expectedVersion: z.number().int().optional(),
    }),
    response: productSchema,
  }),
  updateProductOmCapability: defineRoute({
    method: 'PUT',
    path: '/api/products/:id/om-capability',
    tag: 'products',
    summary: 'Change the maintenance capabilities (allowed while devices use the product)',
    params: idParams,
    body: omCapabilitySchema,
    response: productSchema,
  }),
  deleteProduct: defineRoute({
    method: 'DELETE',
    path: '/api/products/:id',
    tag: 'products',
    summary: 'Delete a product model (refused while devices use it)',
    params: idParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  getProductSecret: defineRoute({
    method: 'GET',
    path: '/api/products/:id/secret',
    tag: 'products',
    summary: 'The product secret MQTT devices log in with in one-model-one-secret mode (authType 1)',
    params: idParams,
    response: productSecretSchema,
  }),
  resetProductSecret: defineRoute({
    method: 'POST',
    path: '/api/products/:id/secret',
    tag: 'products',
    summary: 'Set a new product secret (generated when empty); the old one is refused from now on',
    params: idParams,
    body: z.object({ secret: productSecretValueSchema.or(z.literal('')).optional() }),
    response: productSecretSchema,
  }),
  exportProduct: defineRoute({
    method: 'GET',
    path: '/api/products/:id/export',
    tag: 'products',
    summary: 'The product as a profile package zip ({deviceType}_{manufacturerId}_{model}.zip)',
    params: idParams,
    response: binaryDownloadSchema,
  }),
  validateProductModel: defineRoute({
    method: 'POST',
    path: '/api/products::validate',
    tag: 'products',
    summary: 'Check a model without saving it: every error and warning with its JSON path',
    body: z.unknown(),
    response: z.object({ valid: z.boolean(), issues: z.array(modelIssueSchema) }),
  }),
} as const;
