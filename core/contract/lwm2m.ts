// LwM2M server (core/access/coap): registrations, device-management operations, object definitions, live events.
import { z } from 'zod';
import { defineRoute } from './define.js';

/** Content formats the server speaks, by name; the numbers are the CoAP Content-Format registry's. */
export const lwm2mContentFormats = {
  text: 0,
  link: 40,
  opaque: 42,
  'senml-json': 110,
  'senml-cbor': 112,
  tlv: 11542,
  'lwm2m-json': 11543,
} as const;
export type Lwm2mContentFormatName = keyof typeof lwm2mContentFormats;
export const lwm2mContentFormatNames = Object.keys(lwm2mContentFormats) as [
  Lwm2mContentFormatName,
  ...Lwm2mContentFormatName[],
];
export const lwm2mContentFormatSchema = z.enum(lwm2mContentFormatNames);

/** `/3`, `/3/0`, `/3/0/1` or `/3/0/1/2` (object / instance / resource / resource instance). */
export const lwm2mPathSchema = z
  .string()
  .regex(/^(\/\d{1,5}){1,4}$/, 'a path is /object[/instance[/resource[/resource-instance]]], e.g. /3/0/1')
  .refine(
    (p) =>
      p
        .split('/')
        .slice(1)
        .every((s) => Number(s) <= 65535),
    'ids are at most 65535',
  );

// --- Object definitions (resources/lwm2m/*.json, shared with the traffic inspector) ---

export const lwm2mResourceTypes = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
  'none',
] as const;
export type Lwm2mResourceType = (typeof lwm2mResourceTypes)[number];

export const lwm2mResourceDefinitionSchema = z.object({
  id: z.number().int().min(0),
  name: z.string().min(1),
  /** One of lwm2mResourceTypes; kept a string so a newer definition file still loads. */
  type: z.string(),
  /** Any of R, W, E; empty for bootstrap-only resources. */
  operations: z.string(),
  units: z.string().optional(),
  /** Multiple resource instances (`/o/i/r/ri`). */
  multiple: z.boolean().optional(),
  mandatory: z.boolean().optional(),
  description: z.string().optional(),
});
export type Lwm2mResourceDefinition = z.infer<typeof lwm2mResourceDefinitionSchema>;

export const lwm2mObjectDefinitionSchema = z.object({
  id: z.number().int().min(0),
  name: z.string().min(1),
  /** Several instances allowed (`/o/0`, `/o/1`, …). */
  multiple: z.boolean().optional(),
  mandatory: z.boolean().optional(),
  description: z.string().optional(),
  resources: z.array(lwm2mResourceDefinitionSchema),
});
export type Lwm2mObjectDefinition = z.infer<typeof lwm2mObjectDefinitionSchema>;

// --- Registration ---

export const lwm2mRegistrationSchema = z.object({
  deviceId: z.string(),
  /** The endpoint name as the device sent it (`ep=`), e.g. `urn:imei:868…` or the bare nodeId. */
  endpoint: z.string(),
  /** Registration location handed to the device, e.g. `/rd/5a3f`. */
  location: z.string(),
  /** Seconds (`lt=`, default 86400). */
  lifetime: z.number().int(),
  /** `lwm2m=` (1.0 when absent). */
  lwm2mVersion: z.string(),
  /** `b=` (U when absent). */
  binding: z.string(),
  /** `address:port` (`[v6]:port`) the device registered from: all requests go there. */
  address: z.string(),
  /** The link-format body as sent, e.g. `</1/0>,</3/0>,</19/0>`. */
  objectLinks: z.string(),
  /** Parsed from objectLinks: object instances (instanceId absent for an object without instances). */
  objects: z.array(z.object({ objectId: z.number().int(), instanceId: z.number().int().optional() })),
  /** ISO times. */
  registeredAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
});
export type Lwm2mRegistration = z.infer<typeof lwm2mRegistrationSchema>;

export const lwm2mRegistrationEventKinds = ['registered', 'updated', 'deregistered', 'expired', 'refused'] as const;
export type Lwm2mRegistrationEventKind = (typeof lwm2mRegistrationEventKinds)[number];

export const lwm2mRefusalSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  endpoint: z.string(),
  peer: z.string(),
  reason: z.string(),
});
export type Lwm2mRefusal = z.infer<typeof lwm2mRefusalSchema>;

// --- Values and operations ---

/** One decoded value: a resource (`/3/0/0`) or a resource instance (`/3/0/7/1`). */
export const lwm2mValueSchema = z.object({
  path: z.string(),
  /** Strings, numbers and booleans as such; opaque as hex; objlnk as `o:i`; time as seconds. */
  value: z.union([z.string(), z.number(), z.boolean()]),
  type: z.enum(lwm2mResourceTypes),
  /** Resource name from the object definitions, when known. */
  name: z.string().optional(),
  units: z.string().optional(),
});
export type Lwm2mValue = z.infer<typeof lwm2mValueSchema>;

/** One link of a discover answer: `</3/0/1>;dim=2;pmin=10`. */
export const lwm2mLinkSchema = z.object({
  path: z.string(),
  attributes: z.record(z.string(), z.string()),
});
export type Lwm2mLink = z.infer<typeof lwm2mLinkSchema>;

/** A value to write; its encoding (TLV, SenML, text) is the server's job. `type` defaults from the definitions. */
export const lwm2mWriteValueSchema = z.object({
  path: lwm2mPathSchema,
  value: z.union([z.string(), z.number(), z.boolean()]),
  type: z.enum(lwm2mResourceTypes).optional(),
});
export type Lwm2mWriteValue = z.infer<typeof lwm2mWriteValueSchema>;

const hexSchema = z.string().regex(/^([0-9a-fA-F]{2})*$/, 'hex is an even count of hex digits');

export const lwm2mOperationBodySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('read'), path: lwm2mPathSchema, accept: lwm2mContentFormatSchema.optional() }),
  z.object({ op: z.literal('discover'), path: lwm2mPathSchema }),
  z.object({ op: z.literal('observe'), path: lwm2mPathSchema, accept: lwm2mContentFormatSchema.optional() }),
  z.object({ op: z.literal('cancel-observe'), path: lwm2mPathSchema }),
  z.object({
    op: z.literal('execute'),
    path: lwm2mPathSchema,
    /** Execute arguments as text, e.g. `0='on',1`. */
    args: z.string().max(1024).optional(),
  }),
  z.object({
    op: z.literal('write'),
    path: lwm2mPathSchema,
    /** replace = PUT, partial = POST (partial update of an instance). */
    mode: z.enum(['replace', 'partial']).default('replace'),
    /** Absent: text for a single plain resource, opaque for hex, TLV for several values. */
    contentFormat: lwm2mContentFormatSchema.optional(),
    /** Several resources (or one) by value... */
    values: z.array(lwm2mWriteValueSchema).max(1000).optional(),
    /** ...or the raw payload sent as is (with contentFormat, default opaque). */
    payloadHex: hexSchema.max(2 * 1024 * 1024).optional(),
  }),
]);
export type Lwm2mOperationBody = z.input<typeof lwm2mOperationBodySchema>;
export type Lwm2mOperation = Lwm2mOperationBody['op'];

export const lwm2mOperationResultSchema = z.object({
  op: z.enum(['read', 'discover', 'observe', 'cancel-observe', 'execute', 'write']),
  path: z.string(),
  /** CoAP response code, `2.05` form, and its name (`Content`). */
  code: z.string(),
  codeName: z.string(),
  /** 2.xx */
  ok: z.boolean(),
  contentFormat: z.number().int().optional(),
  contentFormatName: lwm2mContentFormatSchema.optional(),
  payloadHex: z.string(),
  /** Decoded values (read, observe): from TLV, SenML, text or opaque. */
  values: z.array(lwm2mValueSchema).optional(),
  /** Discover answer. */
  links: z.array(lwm2mLinkSchema).optional(),
  /** A payload the server could not decode (the raw bytes stay in payloadHex). */
  decodeError: z.string().optional(),
  /** Milliseconds from the request to the last block of the answer. */
  durationMs: z.number(),
});
export type Lwm2mOperationResult = z.infer<typeof lwm2mOperationResultSchema>;

export const lwm2mObservationSchema = z.object({
  path: z.string(),
  tokenHex: z.string(),
  since: z.string(),
  notifications: z.number().int(),
  lastAt: z.string().optional(),
  lastValues: z.array(lwm2mValueSchema).optional(),
  lastPayloadHex: z.string().optional(),
});
export type Lwm2mObservation = z.infer<typeof lwm2mObservationSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(200) });

export const lwm2mRoutes = {
  getLwm2mRegistration: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/lwm2m',
    tag: 'lwm2m',
    summary: 'LwM2M registration of a device (absent when it is not registered) and its active observations',
    params: deviceParams,
    response: z.object({
      registration: lwm2mRegistrationSchema.optional(),
      observations: z.array(lwm2mObservationSchema),
    }),
  }),
  runLwm2mOperation: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/lwm2m/operations',
    tag: 'lwm2m',
    summary:
      'Read, write, execute, discover, observe or cancel an observation on a registered device; 409 when it is not registered, 504 when it does not answer',
    params: deviceParams,
    body: lwm2mOperationBodySchema,
    response: lwm2mOperationResultSchema,
  }),
  listLwm2mObjects: defineRoute({
    method: 'GET',
    path: '/api/lwm2m/objects',
    tag: 'lwm2m',
    summary: 'LwM2M object definitions (for the object tree)',
    response: z.object({ items: z.array(lwm2mObjectDefinitionSchema) }),
  }),
  listLwm2mRefusals: defineRoute({
    method: 'GET',
    path: '/api/lwm2m/refusals',
    tag: 'lwm2m',
    summary: 'Recent registrations refused (unknown endpoint, bad request), newest first',
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: z.object({ items: z.array(lwm2mRefusalSchema) }),
  }),
} as const;

// --- Bus events (the schemas live in events.ts as topics `lwm2m` and `lwm2mValue`) ---

export const lwm2mRegistrationEventSchema = z.object({
  at: z.number(),
  kind: z.enum(lwm2mRegistrationEventKinds),
  endpoint: z.string(),
  /** Absent for `refused`. */
  deviceId: z.string().optional(),
  /** The registration after the event (for deregistered/expired: the one that ended). */
  registration: lwm2mRegistrationSchema.optional(),
  /** Why it was refused. */
  reason: z.string().optional(),
});
export type Lwm2mRegistrationEvent = z.infer<typeof lwm2mRegistrationEventSchema>;

/** A notification of an observed path (object 19 notifications too, before the codec runs). */
export const lwm2mValueEventSchema = z.object({
  at: z.number(),
  deviceId: z.string(),
  path: z.string(),
  /** Observe sequence number from the notification. */
  seq: z.number().int().optional(),
  contentFormat: z.number().int().optional(),
  payloadHex: z.string(),
  values: z.array(lwm2mValueSchema).optional(),
  decodeError: z.string().optional(),
});
export type Lwm2mValueEvent = z.infer<typeof lwm2mValueEventSchema>;
