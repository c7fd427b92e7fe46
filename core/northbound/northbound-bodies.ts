// zod schemas of the northbound requests (§1.2–1.6), with the field names application servers send.
import { z } from 'zod';

export const str = (max: number) => z.string().max(max);
/** Query numbers arrive as text. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** §1.2: SDKs post appId/secret as a form; the Go client spells it `Secret`. */
export const loginBodySchema = z
  .object({ appId: str(64).min(1), secret: str(128).optional(), Secret: str(128).optional() })
  .refine((b) => (b.secret ?? b.Secret) !== undefined, { message: 'secret is required', path: ['secret'] });

export const refreshBodySchema = z.object({
  appId: str(64).min(1),
  secret: str(128).min(1),
  refreshToken: str(128).min(1),
});

export const logoutBodySchema = z.object({ accessToken: str(128).min(1) });

const deviceInfoIdentity = z.object({
  nodeId: str(64).optional(),
  manufacturerId: str(64).optional(),
  manufacturerName: str(64).optional(),
  deviceType: str(64).optional(),
  model: str(64).optional(),
  protocolType: str(16).optional(),
  name: str(128).optional(),
});
export type NorthboundDeviceInfo = z.infer<typeof deviceInfoIdentity>;

/** §1.3 verification-code mode (LwM2M/CoAP and Agent Lite devices). */
export const verifyCodeRegistrationSchema = z.object({
  verifyCode: str(64).min(1).optional(),
  nodeId: str(64).min(1),
  endUserId: str(256).optional(),
  psk: z
    .string()
    .regex(/^[0-9a-fA-F]{8,64}$/, 'psk must be 8-64 hex digits')
    .optional(),
  timeout: z.number().int().min(0).max(2147483647).optional(),
  isSecure: z.boolean().optional(),
  imsi: str(64).optional(),
  deviceName: str(128).optional(),
  productId: str(64).optional(),
  groupId: str(64).optional(),
  deviceInfo: deviceInfoIdentity.optional(),
});

/** §1.3 password (secret) mode, native MQTT devices. */
export const secretRegistrationSchema = z.object({
  deviceInfo: deviceInfoIdentity.extend({ nodeId: str(64).min(1) }),
  endUserId: str(256).optional(),
  organization: str(256).optional(),
  region: str(256).optional(),
  mqttConnect: z.boolean().optional(),
  productId: str(64).optional(),
  secret: str(64).optional(),
});

/** §1.4: fields the registry does not model are kept as northbound device info and shown back. */
export const modifyDeviceSchema = z.object({
  name: str(128).min(1).optional(),
  endUser: str(256).optional(),
  mute: z.enum(['TRUE', 'FALSE']).optional(),
  manufacturerId: str(64).optional(),
  manufacturerName: str(64).optional(),
  deviceType: str(64).optional(),
  model: str(64).optional(),
  location: str(256).optional(),
  protocolType: z.enum(['CoAP', 'LWM2M', 'MQTT']).optional(),
  region: str(256).optional(),
  organization: str(256).optional(),
  timezone: str(64).optional(),
  imsi: str(64).optional(),
  ip: str(64).optional(),
  isSecure: z.boolean().optional(),
  psk: str(64).optional(),
  productId: str(64).optional(),
  customFields: z
    .array(z.object({ fieldName: str(64), fieldType: str(32).optional(), fieldValue: z.unknown() }))
    .max(100)
    .optional(),
  tags: z
    .array(z.object({ tagName: str(64), tagValue: str(256).optional(), tagType: z.unknown().optional() }))
    .max(100)
    .optional(),
  deviceConfig: z
    .object({ dataConfig: z.object({ dataAgingTime: z.number().int().min(0).max(90).optional() }).optional() })
    .optional(),
});

export const appIdQuerySchema = z.object({ appId: str(64).optional() });

/** §1.5 batch query. pageNo starts at 0; pageSize 1–250 (default 25). */
export const deviceQuerySchema = z.object({
  appId: str(64).optional(),
  gatewayId: str(160).optional(),
  nodeType: z.enum(['ENDPOINT', 'GATEWAY', 'UNKNOW']).optional(),
  deviceType: str(64).optional(),
  location: str(256).optional(),
  name: str(128).optional(),
  status: z.enum(['ONLINE', 'OFFLINE', 'INACTIVE', 'ABNORMAL']).optional(),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 250).default(25),
  startTime: str(32).optional(),
  endTime: str(32).optional(),
  sort: z.enum(['ASC', 'DESC']).default('DESC'),
  select: str(32).optional(),
});

/** §1.6 data history. */
export const historyQuerySchema = z.object({
  deviceId: str(160).min(1),
  gatewayId: str(160).optional(),
  serviceId: str(64).optional(),
  property: str(64).optional(),
  appId: str(64).optional(),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 2000).default(25),
  startTime: str(32).optional(),
  endTime: str(32).optional(),
});

export const deleteQuerySchema = appIdQuerySchema.extend({ cascade: z.enum(['true', 'false']).optional() });

/** §1.12 device groups: `appId` in a create body, `accessAppId` in the query, act for another application. */
export const accessAppQuerySchema = z.object({ accessAppId: str(64).optional() });
const nullableStr = (max: number) =>
  str(max)
    .nullish()
    .transform((v) => v ?? undefined);
const nullableCount = z
  .number()
  .int()
  .min(0)
  .max(1_000_000)
  .nullish()
  .transform((v) => v ?? undefined);
export const createGroupSchema = z.object({
  name: str(64).min(1),
  description: nullableStr(1024),
  appId: nullableStr(64),
  maxDevNum: nullableCount,
  deviceIds: z.array(str(160).min(1)).max(10_000).nullish(),
});
export const modifyGroupSchema = z.object({
  name: str(64).min(1).nullish(),
  description: nullableStr(1024),
  maxDevNum: nullableCount,
});
export const groupListQuerySchema = accessAppQuerySchema.extend({
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 1000).default(10),
  name: str(64).optional(),
});
export const groupMembersQuerySchema = accessAppQuerySchema.extend({
  devGroupId: str(64).min(1),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 1000).default(10),
});
export const groupMembersBodySchema = z.object({
  devGroupId: str(64).min(1),
  deviceIds: z.array(str(160).min(1)).min(1).max(10_000),
});
