// zod schemas of the platform's offline profile files (devicetype-capability.json, servicetype-capability.json),
// as they occur in the wild: min/max as strings or numbers, nulls for absent values, loose casing.
import { z } from 'zod';
import { accessMethods, dataTypes, protocolTypes } from '../contract/product-model.js';

const absent = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** A number written as a number or a string ("0", "65535.5"); null and "" mean absent. */
const numberText = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (absent(v)) return undefined;
    const n = typeof v === 'number' ? v : Number((v as string).trim());
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a number` });
      return z.NEVER;
    }
    return n;
  });

/** maxLength and step: 0 in legacy files means "not set". */
const zeroMeansAbsent = numberText.transform((v) => (v === 0 ? undefined : v));

const canonicalDataType = new Map<string, string>(dataTypes.map((t) => [t.toLowerCase(), t]));
const dataType = z.preprocess(
  (v) => (typeof v === 'string' ? (canonicalDataType.get(v.trim().toLowerCase()) ?? v) : v),
  z.enum(dataTypes, {
    error: (issue) => `dataType must be one of ${dataTypes.join(', ')} (got ${JSON.stringify(issue.input)})`,
  }),
);

/** "ER" -> "RE": the letters in R, W, E order. */
const method = z.preprocess(
  (v) => {
    if (absent(v)) return undefined;
    if (typeof v !== 'string') return v;
    const letters = v.trim().toUpperCase();
    return ['R', 'W', 'E'].filter((l) => letters.includes(l)).join('') || letters;
  },
  z.enum(accessMethods, { error: () => `method must be a combination of R, W and E (e.g. "RE", "RWE")` }).optional(),
);

const required = z
  .union([z.boolean(), z.enum(['true', 'false']), z.null()])
  .optional()
  .transform((v) => v === true || v === 'true');

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));

const enumList = z
  .array(z.union([z.string(), z.number()]))
  .nullish()
  .transform((v) => (v === null || v === undefined || v.length === 0 ? undefined : v.map(String)));

const fieldShape = {
  dataType,
  required,
  min: numberText,
  max: numberText,
  step: zeroMeansAbsent,
  maxLength: zeroMeansAbsent,
  unit: optionalText,
  enumList,
  description: optionalText,
};

export const legacyPropertySchema = z.object({
  propertyName: z.string().min(1),
  ...fieldShape,
  method,
  defaultValue: z.unknown().optional(),
});
export const legacyParaSchema = z.object({ paraName: z.string().min(1), ...fieldShape });
export const legacyCommandSchema = z.object({
  commandName: z.string().min(1),
  paras: z
    .array(legacyParaSchema)
    .nullish()
    .transform((v) => v ?? []),
  responses: z
    .array(
      z.object({
        responseName: z.string().min(1),
        paras: z
          .array(legacyParaSchema)
          .nullish()
          .transform((v) => v ?? []),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
  description: optionalText,
});

export const legacyServiceSchema = z.object({
  serviceType: z.string().min(1),
  description: optionalText,
  properties: z
    .array(legacyPropertySchema)
    .nullish()
    .transform((v) => v ?? []),
  commands: z
    .array(legacyCommandSchema)
    .nullish()
    .transform((v) => v ?? []),
  events: z.array(z.unknown()).nullish(),
});
export type LegacyService = z.infer<typeof legacyServiceSchema>;

export const serviceTypeFileSchema = z.object({
  services: z.array(legacyServiceSchema).min(1, 'a servicetype-capability.json lists at least one service'),
});

const canonicalProtocol = new Map<string, string>(protocolTypes.map((p) => [p.toLowerCase(), p]));

const supportFlag = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

export const legacyOmCapabilitySchema = z.object({
  upgradeCapability: z
    .object({ supportUpgrade: supportFlag, upgradeProtocolType: z.literal('PCP').default('PCP') })
    .nullish(),
  fwUpgradeCapability: z
    .object({ supportUpgrade: supportFlag, upgradeProtocolType: z.literal('LWM2M').default('LWM2M') })
    .nullish(),
  configCapability: z
    .object({
      supportConfig: supportFlag,
      configMethod: z.literal('file').default('file'),
      defaultConfigFile: z.unknown().optional(),
    })
    .nullish(),
});

export const legacyDeviceSchema = z.object({
  manufacturerId: z.string().min(1),
  manufacturerName: z.string().min(1),
  model: z.string().min(1),
  deviceType: z.string().min(1),
  protocolType: z.preprocess(
    (v) => (typeof v === 'string' ? (canonicalProtocol.get(v.trim().toLowerCase()) ?? v) : v),
    z.enum(protocolTypes, {
      error: (issue) => `protocolType must be one of ${protocolTypes.join(', ')} (got ${JSON.stringify(issue.input)})`,
    }),
  ),
  description: optionalText,
  omCapability: legacyOmCapabilitySchema.nullish(),
  serviceTypeCapabilities: z
    .array(
      z.object({
        serviceId: z.string().min(1),
        serviceType: z.string().min(1),
        option: z.enum(['Master', 'Mandatory', 'Optional']).nullish(),
      }),
    )
    .nullish(),
  /** Workbench extension: the legacy format has no place for MQTT custom topics. */
  customTopics: z
    .array(
      z.object({
        suffix: z.string(),
        permission: z.enum(['publish', 'subscribe', 'both']),
        description: optionalText,
      }),
    )
    .nullish(),
});
export type LegacyDevice = z.infer<typeof legacyDeviceSchema>;

export const deviceTypeFileSchema = z.object({
  devices: z
    .array(legacyDeviceSchema)
    .min(1, 'devices lists the one device type of this profile')
    .max(1, 'a profile describes exactly one device type'),
});
