// Live events: one zod schema per bus topic, streamed to the UI over the /api/events WebSocket.
import { z } from 'zod';
import { logEntrySchema } from './platform.js';

const base = { at: z.number() };

export const busEventSchemas = {
  log: z.object({ ...base, entry: logEntrySchema }),
  /** A device-side frame in or out (filled by the access adapters, decoded by the traffic capture). */
  frame: z.object({
    ...base,
    direction: z.enum(['in', 'out']),
    transport: z.enum(['tcp', 'udp', 'serial']),
    protocol: z.string(),
    local: z.string(),
    peer: z.string(),
    deviceId: z.string().optional(),
    bytesBase64: z.string(),
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
