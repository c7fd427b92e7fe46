// The normalized product model (the platform's "profile") that every capability reads: devices, codecs, OTA.
import { z } from 'zod';

export const dataTypes = [
  'int',
  'long',
  'decimal',
  'string',
  'DateTime',
  'jsonObject',
  'enum',
  'boolean',
  'string list',
  'binary',
] as const;
export type DataType = (typeof dataTypes)[number];

export const accessMethods = ['R', 'W', 'E', 'RW', 'RE', 'WE', 'RWE'] as const;

/** A typed field: a service property, a command parameter or a response field. */
export const fieldSchema = z.object({
  name: z.string().min(1).max(64),
  dataType: z.enum(dataTypes),
  required: z.boolean().default(false),
  /** Numbers for int/long/decimal (the profile's strings are converted on import). */
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().positive().optional(),
  maxLength: z.number().int().positive().optional(),
  unit: z.string().max(32).optional(),
  enumList: z.array(z.string()).optional(),
  description: z.string().max(512).optional(),
});
export type Field = z.infer<typeof fieldSchema>;

export const propertySchema = fieldSchema.extend({
  method: z.enum(accessMethods).default('RE'),
  defaultValue: z.unknown().optional(),
});
export type Property = z.infer<typeof propertySchema>;

export const commandSchema = z.object({
  name: z.string().min(1).max(64),
  paras: z.array(fieldSchema).default([]),
  responses: z
    .array(z.object({ name: z.string().min(1).max(64), paras: z.array(fieldSchema).default([]) }))
    .default([]),
  description: z.string().max(512).optional(),
});
export type Command = z.infer<typeof commandSchema>;

export const serviceSchema = z.object({
  serviceId: z.string().min(1).max(64),
  serviceType: z.string().min(1).max(64),
  option: z.enum(['Master', 'Mandatory', 'Optional']).default('Optional'),
  description: z.string().max(512).optional(),
  properties: z.array(propertySchema).default([]),
  commands: z.array(commandSchema).default([]),
});
export type Service = z.infer<typeof serviceSchema>;

export const protocolTypes = ['CoAP', 'LWM2M', 'MQTT'] as const;
export type ProtocolType = (typeof protocolTypes)[number];

export const omCapabilitySchema = z.object({
  /** Software upgrade (SOTA) over PCP. */
  upgrade: z.object({ supported: z.boolean(), protocol: z.literal('PCP') }).optional(),
  /** Firmware upgrade (FOTA) over LwM2M object 5. */
  firmwareUpgrade: z.object({ supported: z.boolean(), protocol: z.literal('LWM2M') }).optional(),
  config: z
    .object({ supported: z.boolean(), method: z.literal('file'), defaultConfigFile: z.unknown().optional() })
    .optional(),
});
export type OmCapability = z.infer<typeof omCapabilitySchema>;

/** A custom MQTT topic of the product: `$oc/devices/{device_id}/user/<suffix>`. */
export const customTopicSchema = z.object({
  suffix: z.string().min(1).max(128),
  permission: z.enum(['publish', 'subscribe', 'both']),
  description: z.string().max(256).optional(),
});
export type CustomTopic = z.infer<typeof customTopicSchema>;

export const productModelSchema = z.object({
  deviceType: z.string().min(1).max(64),
  manufacturerId: z.string().min(1).max(64),
  manufacturerName: z.string().min(1).max(64),
  model: z.string().min(1).max(64),
  protocolType: z.enum(protocolTypes),
  description: z.string().max(1024).optional(),
  services: z.array(serviceSchema).default([]),
  omCapability: omCapabilitySchema.default({}),
  customTopics: z.array(customTopicSchema).default([]),
});
export type ProductModel = z.infer<typeof productModelSchema>;
