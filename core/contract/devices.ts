// Devices, their data and MQTT access records: the routes of core/devices, core/data and core/access/mqtt.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';
import { protocolTypes } from './product-model.js';

export const deviceStatuses = ['inactive', 'online', 'offline', 'abnormal'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

/** IMEI, MAC, serial, `urn:imei:…`: the deviceId `<productId>_<nodeId>` must stay a safe MQTT topic level. */
export const nodeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'nodeId may only hold letters, digits and _ . : -');

export const deviceSchema = z.object({
  deviceId: z.string(),
  productId: z.string(),
  nodeId: z.string(),
  name: z.string().optional(),
  protocolType: z.enum(protocolTypes),
  status: z.enum(deviceStatuses),
  /** Set for verify-code registrations until the device first connects. */
  verifyCode: z.string().optional(),
  /** ISO time after which an unactivated verify-code device is deleted. */
  activationDeadline: z.string().optional(),
  activated: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeenAt: z.string().optional(),
  /** A gateway sub-device: the deviceId of the gateway that reports for it. */
  gatewayId: z.string().optional(),
  /** §1.5: GATEWAY once a sub-device was registered behind it, else ENDPOINT. */
  nodeType: z.enum(['GATEWAY', 'ENDPOINT']).optional(),
  /** The one group the device belongs to, if any. */
  groupId: z.string().optional(),
  /** when the device bound (Agent-Lite style, nodeId + verify code) and received its deviceId and secret. */
  boundAt: z.string().optional(),
  /** Ids of the tags attached to the device (lists and details only). */
  tagIds: z.array(z.string()).optional(),
});
export type Device = z.infer<typeof deviceSchema>;

export const registerDeviceBodySchema = z.object({
  productId: z.string().min(1).max(64),
  nodeId: nodeIdSchema,
  name: z.string().min(1).max(128).optional(),
  /** Generated when empty; hex only for CoAP/LwM2M products (it is their PSK). */
  secret: z.string().max(64).optional(),
  /** Verify-code registration: the device must connect within `timeout` seconds (0 = never expires). */
  verifyCode: z.string().min(1).max(64).optional(),
  timeout: z.number().int().min(0).max(2147483647).optional(),
  /** Registers a gateway sub-device: only this gateway may report for it. */
  gatewayId: z.string().min(1).max(160).optional(),
});
export type RegisterDeviceBody = z.infer<typeof registerDeviceBodySchema>;

export const registeredDeviceSchema = z.object({ device: deviceSchema, secret: z.string() });

export const deviceListQuerySchema = z.object({
  status: z.enum(deviceStatuses).optional(),
  productId: z.string().max(64).optional(),
  /** Start of the nodeId or of the name. */
  search: z.string().max(64).optional(),
  /** Devices of this group (and of its descendants unless `descendants=false`). */
  groupId: z.string().min(1).max(64).optional(),
  descendants: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v !== 'false'),
  /** Devices that carry this tag. */
  tagId: z.string().min(1).max(64).optional(),
  /** Sub-devices of this gateway. */
  gatewayId: z.string().min(1).max(160).optional(),
  /** Only gateways (devices that have had sub-devices) or only the others. */
  nodeType: z.enum(['GATEWAY', 'ENDPOINT']).optional(),
  /** Keyset cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(32).optional(),
  /** Rows to skip instead of a cursor: lets a virtual list jump to any row (ignored with `cursor`). */
  offset: z.coerce.number().int().min(0).max(100_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type DeviceListQuery = z.input<typeof deviceListQuerySchema>;

export const deviceCountsSchema = z.object({
  all: z.number().int(),
  online: z.number().int(),
  offline: z.number().int(),
  inactive: z.number().int(),
  abnormal: z.number().int(),
});
export type DeviceCounts = z.infer<typeof deviceCountsSchema>;

export const batchRowResultSchema = z.object({
  line: z.number().int(),
  nodeId: z.string(),
  ok: z.boolean(),
  deviceId: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export const batchTaskSchema = z.object({
  taskId: z.string(),
  productId: z.string(),
  status: z.enum(['running', 'done']),
  total: z.number().int(),
  processed: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  rows: z.array(batchRowResultSchema),
});
export type BatchTask = z.infer<typeof batchTaskSchema>;

export const historyItemSchema = z.object({
  id: z.number().int(),
  serviceId: z.string(),
  property: z.string(),
  value: z.unknown(),
  eventTime: z.string(),
  receivedAt: z.string(),
});
export type HistoryItem = z.infer<typeof historyItemSchema>;

export const historyQuerySchema = z.object({
  serviceId: z.string().max(64).optional(),
  property: z.string().max(64).optional(),
  /** ISO times or epoch ms; inclusive range on the event time. */
  from: z.string().max(32).optional(),
  to: z.string().max(32).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type HistoryQuery = z.output<typeof historyQuerySchema>;

export const latestServiceSchema = z.object({
  serviceId: z.string(),
  data: z.record(z.string(), z.unknown()),
  eventTime: z.string(),
  receivedAt: z.string(),
});

export const uplinkErrorSchema = z.object({
  id: z.number().int(),
  deviceId: z.string(),
  topic: z.string(),
  code: z.string(),
  message: z.string(),
  rawBase64: z.string(),
  receivedAt: z.string(),
});

export const mqttRefusalSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  /** `replaced`: a newer login of the same device closed this session (one session per device). */
  kind: z.enum(['auth', 'acl', 'backoff', 'oversized', 'replaced']),
  peer: z.string(),
  clientId: z.string(),
  username: z.string(),
  deviceId: z.string().optional(),
  reason: z.string(),
});
export type MqttRefusal = z.infer<typeof mqttRefusalSchema>;

/** One transition on a device's status timeline (the device was inactive from its registration until the first). */
export const deviceStatusChangeSchema = z.object({
  id: z.number().int(),
  status: z.enum(['online', 'offline', 'abnormal']),
  at: z.string(),
});
export type DeviceStatusChange = z.infer<typeof deviceStatusChangeSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(160) });

export const deviceRoutes = {
  registerDevice: defineRoute({
    method: 'POST',
    path: '/api/devices',
    tag: 'devices',
    summary: 'Register one device (deviceId = <productId>_<nodeId>); the secret is returned once',
    body: registerDeviceBodySchema,
    response: registeredDeviceSchema,
    status: 201,
  }),
  listDevices: defineRoute({
    method: 'GET',
    path: '/api/devices',
    tag: 'devices',
    summary: 'List devices, newest first, with keyset paging',
    query: deviceListQuerySchema,
    response: z.object({ items: z.array(deviceSchema), total: z.number().int(), nextCursor: z.string().optional() }),
  }),
  deviceCounts: defineRoute({
    method: 'GET',
    path: '/api/devices::counts',
    tag: 'devices',
    summary: 'How many devices are in each status',
    query: z.object({ productId: z.string().max(64).optional() }),
    response: deviceCountsSchema,
  }),
  exportDeviceSecrets: defineRoute({
    method: 'GET',
    path: '/api/devices::export',
    tag: 'devices',
    summary: 'CSV of deviceId, nodeId, secret (of one product, or all)',
    query: z.object({ productId: z.string().max(64).optional() }),
    response: binaryDownloadSchema,
  }),
  startBatchRegistration: defineRoute({
    method: 'POST',
    path: '/api/devices::batch',
    tag: 'devices',
    summary: 'Register devices from CSV rows `nodeId[,secret[,name]]` as a task (progress on the bus `task` topic)',
    body: z.object({ productId: z.string().min(1).max(64), csv: z.string().max(20_000_000) }),
    response: batchTaskSchema,
    status: 202,
  }),
  getBatchRegistration: defineRoute({
    method: 'GET',
    path: '/api/devices/tasks/:taskId',
    tag: 'devices',
    summary: 'Progress and per-row results of a batch registration (`rows`: all, only failed, or none)',
    params: z.object({ taskId: z.string().min(1).max(64) }),
    query: z.object({ rows: z.enum(['all', 'failed', 'none']).default('all') }),
    response: batchTaskSchema,
  }),
  getDevice: defineRoute({
    method: 'GET',
    path: '/api/devices/:id',
    tag: 'devices',
    summary: 'One device',
    params: deviceParams,
    response: deviceSchema,
  }),
  updateDevice: defineRoute({
    method: 'PUT',
    path: '/api/devices/:id',
    tag: 'devices',
    summary: 'Edit a device (name)',
    params: deviceParams,
    body: z.object({ name: z.string().min(1).max(128).nullable() }),
    response: deviceSchema,
  }),
  deleteDevice: defineRoute({
    method: 'DELETE',
    path: '/api/devices/:id',
    tag: 'devices',
    summary:
      "Delete a device (a connected one is disconnected); a gateway's sub-devices go with it unless cascade=false, which keeps them as directly connected devices",
    params: deviceParams,
    query: z.object({ cascade: z.enum(['true', 'false']).optional() }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  resetDeviceSecret: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/secret',
    tag: 'devices',
    summary: 'Set a new secret (generated when empty); a connected device is disconnected',
    params: deviceParams,
    body: z.object({ secret: z.string().max(64).optional() }),
    response: z.object({ deviceId: z.string(), secret: z.string() }),
  }),
  deviceStatusHistory: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/status-history',
    tag: 'devices',
    summary: 'Status transitions of a device, newest first (the last 500 or so are kept)',
    params: deviceParams,
    query: z.object({
      cursor: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.object({ items: z.array(deviceStatusChangeSchema), nextCursor: z.number().int().optional() }),
  }),
  latestDeviceData: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/data/latest',
    tag: 'data',
    summary: 'Latest reported values per service',
    params: deviceParams,
    response: z.object({ services: z.array(latestServiceSchema) }),
  }),
  deviceDataHistory: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/data/history',
    tag: 'data',
    summary: 'Stored property values, newest first, filtered by service, property and event-time range',
    params: deviceParams,
    query: historyQuerySchema,
    response: z.object({ items: z.array(historyItemSchema), nextCursor: z.number().int().optional() }),
  }),
  exportDeviceDataHistory: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/data/history::export',
    tag: 'data',
    summary: 'The filtered history as CSV',
    params: deviceParams,
    query: historyQuerySchema.omit({ cursor: true, limit: true }),
    response: binaryDownloadSchema,
  }),
  deviceUplinkErrors: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/data/errors',
    tag: 'data',
    summary: 'Uplinks that could not be stored (bad JSON, unknown service, codec failure) with their raw bytes',
    params: deviceParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    response: z.object({ items: z.array(uplinkErrorSchema) }),
  }),
  getDataSettings: defineRoute({
    method: 'GET',
    path: '/api/data/settings',
    tag: 'data',
    summary: 'History retention',
    response: z.object({ retentionDays: z.number().int() }),
  }),
  updateDataSettings: defineRoute({
    method: 'PUT',
    path: '/api/data/settings',
    tag: 'data',
    summary: 'Change the history retention (days, 1–3650)',
    body: z.object({ retentionDays: z.number().int().min(1).max(3650) }),
    response: z.object({ retentionDays: z.number().int() }),
  }),
  sendDeviceMessage: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/messages',
    tag: 'access',
    summary:
      "Send raw bytes to a connected MQTT device: on its dialect's command topic (IoTDA messages/down with kind message), or on a topic of its own",
    params: deviceParams,
    body: z.object({
      payload: z.string().max(1_000_000),
      encoding: z.enum(['text', 'hex']).default('text'),
      kind: z.enum(['command', 'message']).default('message'),
      topic: z.string().min(1).max(512).optional(),
    }),
    response: z.object({ sent: z.boolean(), topic: z.string().optional() }),
  }),
  listMqttRefusals: defineRoute({
    method: 'GET',
    path: '/api/access/mqtt/refusals',
    tag: 'access',
    summary:
      'Refused MQTT logins, ACL violations, oversized packets and sessions replaced by a newer login, newest first',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(mqttRefusalSchema) }),
  }),
} as const;
