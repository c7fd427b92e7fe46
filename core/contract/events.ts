// Live events: one zod schema per bus topic, streamed to the UI over the /api/events WebSocket.
import { z } from 'zod';
import { logEntrySchema } from './platform.js';
import { trafficFrameSummarySchema } from './traffic.js';
import { lwm2mRegistrationEventSchema, lwm2mValueEventSchema } from './lwm2m.js';
import { urlStates } from './push.js';
import { flashEventSchema } from './flashing.js';

const base = { at: z.number() };

export const busEventSchemas = {
  log: z.object({ ...base, entry: logEntrySchema }),
  /**
   * A device-side frame in or out, published by the access adapters and captured by core/traffic.
   * One event is one protocol message: one MQTT control packet (the adapter splits the TCP stream;
   * never half a packet, never two), one CoAP datagram, one serial chunk.
   */
  frame: z.object({
    ...base,
    /** Microseconds since the Unix epoch, when the adapter can tell; else `at` * 1000 is used. */
    timeUs: z.number().int().optional(),
    /** in = device to core, out = core to device. */
    direction: z.enum(['in', 'out']),
    transport: z.enum(['tcp', 'udp', 'serial']),
    /** `mqtt`, `coap`, `pcp` (raw PCP bytes), or another name the adapter chooses. */
    protocol: z.string(),
    /** `address:port` of the core's socket (`[v6]:port` for IPv6). */
    local: z.string(),
    /** `address:port` of the device. */
    peer: z.string(),
    deviceId: z.string().optional(),
    /** Same for every frame of one TCP connection (or one UDP peer session); lets MQTT frames be tied to their CONNECT. */
    connectionId: z.string().optional(),
    bytesBase64: z.string(),
  }),
  /** Decoded summaries of newly captured frames, batched (the live traffic view reads these, not `frame`). */
  traffic: z.object({
    ...base,
    frames: z.array(trafficFrameSummarySchema),
    /** Frames captured in this batch but not summarised here (flood): list them through the API. */
    notShown: z.number().int(),
  }),
  device: z.object({
    ...base,
    deviceId: z.string(),
    kind: z.enum(['registered', 'online', 'offline', 'abnormal', 'deleted', 'updated']),
  }),
  data: z.object({
    ...base,
    deviceId: z.string(),
    serviceId: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
  command: z.object({
    ...base,
    deviceId: z.string(),
    commandId: z.string(),
    status: z.string(),
  }),
  /** Serial workbench: bytes of a session (batched, base64, binary-safe), session status, port list changes. */
  serial: z.object({
    ...base,
    kind: z.enum(['data', 'status', 'ports']),
    sessionId: z.string().optional(),
    direction: z.enum(['in', 'out']).optional(),
    base64: z.string().optional(),
    status: z.enum(['open', 'reconnecting', 'closed', 'taken-over']).optional(),
    message: z.string().optional(),
  }),
  /** LwM2M registrations: registered, updated, deregistered, expired, refused (unknown endpoint). */
  lwm2m: lwm2mRegistrationEventSchema,
  /** LwM2M notifications of observed paths, decoded when the content format allows. */
  lwm2mValue: lwm2mValueEventSchema,
  /** Push: a callback URL's state changed, a delivery was made, or the built-in test receiver got a push. */
  push: z.object({
    ...base,
    kind: z.enum(['state', 'delivery', 'received']),
    url: z.string().optional(),
    state: z.enum(urlStates).optional(),
  }),
  /** Board flashing: progress (bytes/s), phase and log lines of one flash operation. */
  flash: flashEventSchema,
  /** A device's shadow or config changed: desired set, a delivery ended, a mismatch cleared, a config moved on. */
  shadow: z.object({
    ...base,
    deviceId: z.string(),
    kind: z.enum(['desired', 'delivery', 'reported', 'config']),
  }),
  /** Rules: a linkage rule fired (`notify`: it had a notification action, the UI shows a message), an alarm changed. */
  rule: z.object({
    ...base,
    kind: z.enum(['firing', 'alarm']),
    ruleId: z.string().optional(),
    ruleName: z.string().optional(),
    firingId: z.string().optional(),
    /** When the rule's conditions came to hold (ISO). */
    triggerTime: z.string().optional(),
    deviceId: z.string().optional(),
    notify: z.boolean().optional(),
    alarmId: z.string().optional(),
    state: z.string().optional(),
  }),
  task: z.object({
    ...base,
    taskId: z.string(),
    kind: z.string(),
    status: z.string(),
    progress: z.number().min(0).max(1).optional(),
    message: z.string().optional(),
  }),
} as const;

export type BusTopic = keyof typeof busEventSchemas;
export type BusEventMap = { [K in BusTopic]: z.infer<(typeof busEventSchemas)[K]> };
export const busTopics = Object.keys(busEventSchemas) as BusTopic[];

export type TaggedBusEvent = { [K in BusTopic]: { topic: K; event: BusEventMap[K] } }[BusTopic];

/** Client -> server messages on /api/events. */
export const eventsClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string() }),
  z.object({ type: z.literal('subscribe'), topics: z.array(z.enum(busTopics as [BusTopic, ...BusTopic[]])) }),
]);
export type EventsClientMessage = z.infer<typeof eventsClientMessageSchema>;

/** Server -> client messages on /api/events. */
export const eventsServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), topics: z.array(z.string()) }),
  z.object({
    type: z.literal('batch'),
    events: z.array(z.object({ topic: z.string(), event: z.unknown() })),
    /** Events not sent because the client could not keep up. */
    dropped: z.number().int(),
  }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type EventsServerMessage = z.infer<typeof eventsServerMessageSchema>;

/** Subprotocol carrying the token when the client cannot send an auth message first. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'iotwb.token.';
