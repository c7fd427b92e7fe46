// Contract of upgrade packages: UpgradeDesc.json validation, the builder, manufacturer keys, the library.
import { z } from 'zod';
import { defineRoute } from './define.js';
import { verifyResultSchema } from './signing.js';

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

export const MAX_VERSION_BYTES = 16;
export const softwareProtocols = ['CoAP', 'LWM2M', 'MQTT'] as const;
export const firmwareProtocols = ['LWM2M', 'MQTT'] as const;

/** Why a supportSourceVersionList is malformed, or undefined: items split by ';', of letters, digits, . _ - * ?. */
export function sourceVersionListProblem(list: string): string | undefined {
  if (list.length === 0) return undefined;
  const items = list.split(';');
  for (const [index, item] of items.entries()) {
    if (item.length === 0) return `item ${index + 1} is empty (two ";" in a row, or a ";" at an end)`;
    if (!/^[A-Za-z0-9._*?-]+$/.test(item)) {
      return `item ${index + 1} "${item}" may only use letters, digits, ".", "_", "-" and the wildcards * and ?`;
    }
    if (utf8Length(item) > MAX_VERSION_BYTES)
      return `item ${index + 1} "${item}" is longer than ${MAX_VERSION_BYTES} bytes`;
  }
  return undefined;
}

/** Why a date is not a real yyyy-MM-dd calendar date, or undefined. */
export function dateProblem(date: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return `"${date}" is not in the form yyyy-MM-dd`;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const real = new Date(Date.UTC(y, m - 1, d));
  if (real.getUTCFullYear() !== y || real.getUTCMonth() !== m - 1 || real.getUTCDate() !== d) {
    return `${date} is not a calendar date`;
  }
  return undefined;
}

export const packageVersionSchema = z
  .string()
  .min(1, 'the version is needed')
  .refine((v) => utf8Length(v) <= MAX_VERSION_BYTES, {
    message: `the version must be at most ${MAX_VERSION_BYTES} bytes`,
  })
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f]/.test(v), { message: 'the version must not contain control characters' });

export const sourceVersionListSchema = z.string().superRefine((value, ctx) => {
  const problem = sourceVersionListProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `supportSourceVersionList: ${problem}` });
});

const identityFields = {
  deviceType: z.string().min(1, 'the device type is needed').max(64),
  manufacturerName: z.string().min(1, 'the manufacturer is needed').max(64),
  model: z.string().min(1, 'the model is needed').max(64),
};

/** DM/<platform>/UpgradeDesc.json, field by field as the platform reads it. */
export const upgradeDescSchema = z.object({
  specVersion: z.literal('1.0', { message: 'specVersion must be "1.0"' }),
  fileName: z
    .string()
    .min(1, 'the file name is needed')
    .max(128)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^/\\\u0000-\u001f]+$/, 'the file name must be a plain name without "/" or "\\"')
    .refine((n) => n !== '.' && n !== '..', { message: 'the file name must be a plain name' }),
  packageType: z.literal('softwarePackage', { message: 'packageType must be "softwarePackage"' }),
  version: packageVersionSchema,
  ...identityFields,
  protocolType: z.enum(softwareProtocols, { message: 'protocolType must be CoAP, LWM2M or MQTT' }),
  description: z.string().max(1024).optional(),
  versionCheckCode: z
    .string()
    .regex(/^[A-Za-z0-9]{4}$/, 'versionCheckCode must be exactly 4 letters or digits')
    .optional(),
  deviceShard: z
    .number({ message: 'deviceShard must be a number' })
    .int('deviceShard must be a whole number of bytes')
    .min(32, 'deviceShard must be at least 32 bytes')
    .max(500, 'deviceShard must be at most 500 bytes')
    .default(500),
  platform: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'platform must be 1-32 letters, digits, "_" or "-" (e.g. linux)')
    .default('linux'),
  supportSourceVersionList: sourceVersionListSchema.optional(),
  date: z.string().superRefine((value, ctx) => {
    const problem = dateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `date: ${problem}` });
  }),
});
export type UpgradeDesc = z.output<typeof upgradeDescSchema>;
export type UpgradeDescInput = z.input<typeof upgradeDescSchema>;

/** What the builder form sends: the description without the fixed fields, plus the vendor file's path. */
export const softwareBuildSchema = upgradeDescSchema
  .omit({ specVersion: true, packageType: true, fileName: true, date: true })
  .extend({
    filePath: z.string().min(1, 'choose the vendor file'),
    date: upgradeDescSchema.shape.date.optional(),
    outputPath: z.string().min(1).optional(),
  });
export type SoftwareBuildInput = z.input<typeof softwareBuildSchema>;

export const firmwareBuildSchema = z.object({
  binPath: z
    .string()
    .min(1, 'choose the .bin file')
    .regex(/\.bin$/i, 'a firmware package holds a .bin file'),
  outputPath: z.string().min(1).optional(),
});

export const buildResultSchema = z.object({
  outputPath: z.string(),
  entries: z.array(z.string()),
  bytes: z.number(),
  upgradeDesc: upgradeDescSchema.optional(),
});

export const manufacturerKeySchema = z.object({
  id: z.string(),
  manufacturerName: z.string(),
  label: z.string(),
  algorithm: z.string(),
  fingerprint: z.string(),
  createdAt: z.number(),
});
export type ManufacturerKey = z.infer<typeof manufacturerKeySchema>;

export const packageKinds = ['software', 'firmware'] as const;
export const storedPackageSchema = z.object({
  id: z.string(),
  kind: z.enum(packageKinds),
  name: z.string(),
  version: z.string(),
  deviceType: z.string(),
  manufacturerName: z.string(),
  model: z.string(),
  protocolType: z.string(),
  supportSourceVersionList: z.string(),
  description: z.string(),
  upgradeDesc: upgradeDescSchema.optional(),
  fileName: z.string(),
  size: z.number(),
  sha256: z.string(),
  keyFingerprint: z.string(),
  signedAt: z.string().optional(),
  uploadedAt: z.number(),
});
export type StoredPackage = z.infer<typeof storedPackageSchema>;

/** Firmware metadata is entered at upload; a software package carries its own UpgradeDesc.json. */
export const packageUploadQuerySchema = z.object({
  name: z.string().min(1).max(128).optional(),
  version: packageVersionSchema.optional(),
  deviceType: z.string().min(1).max(64).optional(),
  manufacturerName: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(64).optional(),
  protocolType: z.enum(firmwareProtocols).optional(),
  supportSourceVersionList: sourceVersionListSchema.optional(),
  description: z.string().max(1024).optional(),
});

export const packageRoutes = {
  buildSoftware: defineRoute({
    method: 'POST',
    path: '/api/packages/build/software',
    tag: 'packages',
    summary:
      'Build a software package (DM/<platform>/UpgradeDesc.json + <platform>/<file>) from a file on this machine',
    body: softwareBuildSchema,
    response: buildResultSchema,
    status: 201,
  }),
  buildFirmware: defineRoute({
    method: 'POST',
    path: '/api/packages/build/firmware',
    tag: 'packages',
    summary: 'Build a firmware package (one .bin in a .zip)',
    body: firmwareBuildSchema,
    response: buildResultSchema,
    status: 201,
  }),
  listManufacturerKeys: defineRoute({
    method: 'GET',
    path: '/api/packages/manufacturer-keys',
    tag: 'packages',
    summary: 'Public keys per manufacturer, used to check uploaded packages',
    response: z.object({ keys: z.array(manufacturerKeySchema) }),
  }),
  addManufacturerKey: defineRoute({
    method: 'POST',
    path: '/api/packages/manufacturer-keys',
    tag: 'packages',
    summary: "Upload a manufacturer's public key (SPKI PEM)",
    body: z.object({
      manufacturerName: z.string().min(1).max(64),
      label: z.string().max(128).optional(),
      publicKeyPem: z.string().min(1).max(16_384),
    }),
    response: manufacturerKeySchema,
    status: 201,
  }),
  addManufacturerKeyFromFile: defineRoute({
    method: 'POST',
    path: '/api/packages/manufacturer-keys/from-file',
    tag: 'packages',
    summary: "Add a manufacturer's public key from a PEM file on this machine (e.g. a key pair's public.pem)",
    body: z.object({
      manufacturerName: z.string().min(1).max(64),
      label: z.string().max(128).optional(),
      publicKeyPath: z.string().min(1, 'a file path is needed'),
    }),
    response: manufacturerKeySchema,
    status: 201,
  }),
  deleteManufacturerKey: defineRoute({
    method: 'DELETE',
    path: '/api/packages/manufacturer-keys/:id',
    tag: 'packages',
    summary: "Delete a manufacturer's public key",
    params: z.object({ id: z.string() }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  uploadPackage: defineRoute({
    method: 'POST',
    path: '/api/packages',
    tag: 'packages',
    summary: "Upload a signed package: checked against the manufacturer's key and an existing product model",
    query: packageUploadQuerySchema,
    body: 'binary',
    response: storedPackageSchema,
    status: 201,
  }),
  listPackages: defineRoute({
    method: 'GET',
    path: '/api/packages',
    tag: 'packages',
    summary: 'Packages in the library',
    query: z.object({ kind: z.enum(packageKinds).optional(), manufacturerName: z.string().optional() }),
    response: z.object({ packages: z.array(storedPackageSchema) }),
  }),
  getPackage: defineRoute({
    method: 'GET',
    path: '/api/packages/:id',
    tag: 'packages',
    summary: 'One package of the library',
    params: z.object({ id: z.string() }),
    response: storedPackageSchema,
  }),
  deletePackage: defineRoute({
    method: 'DELETE',
    path: '/api/packages/:id',
    tag: 'packages',
    summary: 'Delete a package (refused while an upgrade task uses it)',
    params: z.object({ id: z.string() }),
    response: z.object({ deleted: z.literal(true) }),
  }),
} as const;

/** The error body of a refused upload carries the verification result. */
export const packageRefusalDetailsSchema = z.object({ verification: verifyResultSchema.optional() });
