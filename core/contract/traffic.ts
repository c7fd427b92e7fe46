// Contract of the traffic inspector: captured frames, their decoded layers, filters, export.
import { z } from 'zod';
import { codecErrorSchema, codecIssueSchema, decodedMessageSchema } from './codecs.js';
import { defineRoute } from './define.js';

/** One decoded field; offset/length locate its bytes in the frame (for the hex highlight). */
export interface TrafficField {
  key: string;
  label: string;
  value: string;
  meaning?: string;
  offset?: number;
  length?: number;
  children?: TrafficField[];
}

export const trafficFieldSchema: z.ZodType<TrafficField> = z.lazy(() =>
  z.object({
    key: z.string(),
    label: z.string(),
    value: z.string(),
    meaning: z.string().optional(),
    offset: z.number().int().optional(),
    length: z.number().int().optional(),
    children: z.array(trafficFieldSchema).optional(),
  }),
);

export const trafficLayerIds = ['frame', 'mqtt', 'coap', 'lwm2m', 'pcp', 'codec'] as const;
export type TrafficLayerId = (typeof trafficLayerIds)[number];

export const trafficLayerSchema = z.object({
  id: z.enum(trafficLayerIds),
  title: z.string(),
  /** Set when this layer could not be decoded (e.g. "not PCP because …"). */
  error: z.string().optional(),
  fields: z.array(trafficFieldSchema),
});
export type TrafficLayer = z.infer<typeof trafficLayerSchema>;

/** A row of the list: enough to show and colour a frame without its bytes. */
export const trafficFrameSummarySchema = z.object({
  seq: z.number().int(),
  /** Microseconds since the Unix epoch. */
  timeUs: z.number().int(),
  direction: z.enum(['in', 'out']),
  transport: z.enum(['tcp', 'udp', 'serial']),
  local: z.string(),
  peer: z.string(),
  deviceId: z.string().optional(),
  /** Top decoded protocol: MQTT, CoAP, LwM2M, PCP, or the frame's own protocol name. */
  protocol: z.string(),
  summary: z.string(),
  length: z.number().int(),
  /** A decode problem worth colouring the row for. */
  error: z.string().optional(),
});
export type TrafficFrameSummary = z.infer<typeof trafficFrameSummarySchema>;

/** The device's codec run on the frame's payload: what a codec sample of this frame would hold. */
export const trafficCodecDecodeSchema = z.object({
  productId: z.string(),
  /** The product model's device type, for people. */
  productName: z.string().optional(),
  version: z.number().int(),
  /** Still decoding: ask for the frame again shortly. */
  status: z.enum(['pending', 'decoded', 'error']),
  /** The codec's input: the payload inside the frame, not the whole frame. */
  payloadHex: z.string(),
  topic: z.string().optional(),
  message: decodedMessageSchema.optional(),
  issues: z.array(codecIssueSchema).optional(),
  error: codecErrorSchema.optional(),
});
export type TrafficCodecDecode = z.infer<typeof trafficCodecDecodeSchema>;

export const trafficFrameDetailSchema = trafficFrameSummarySchema.extend({
  connectionId: z.string().optional(),
  bytesBase64: z.string(),
  layers: z.array(trafficLayerSchema),
  /** What the product's codec made of the payload, when it ran. */
  decoded: z.unknown().optional(),
  codec: trafficCodecDecodeSchema.optional(),
});
export type TrafficFrameDetail = z.infer<typeof trafficFrameDetailSchema>;

export const trafficStatsSchema = z.object({
  /** False while capture is stopped: frames are not recorded at all (devices pay nothing for it). */
  capturing: z.boolean(),
  capacity: z.number().int(),
  stored: z.number().int(),
  /** Frames seen since the core started (or since the last clear). */
  captured: z.number().int(),
  /** Frames pushed out of the full buffer. */
  dropped: z.number().int(),
  oldestSeq: z.number().int().optional(),
  newestSeq: z.number().int().optional(),
  captureFile: z.object({
    enabled: z.boolean(),
    path: z.string().optional(),
    bytes: z.number().int(),
  }),
});
export type TrafficStats = z.infer<typeof trafficStatsSchema>;

export const filterErrorSchema = z.object({
  message: z.string(),
  /** 0-based character position in the expression. */
  position: z.number().int(),
});
export type FilterError = z.infer<typeof filterErrorSchema>;

export const savedFilterSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  expression: z.string(),
  createdAt: z.number(),
});
export type SavedFilter = z.infer<typeof savedFilterSchema>;

const seqParam = z.coerce.number().int().min(0);

export const trafficRoutes = {
  listTrafficFrames: defineRoute({
    method: 'GET',
    path: '/api/traffic/frames',
    tag: 'traffic',
    summary:
      'Captured frames matching a display filter, oldest first; pages back with `before`, forward with `after` (a 400 FILTER_INVALID carries the error position in details)',
    query: z.object({
      filter: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(2000).default(200),
      before: seqParam.optional(),
      after: seqParam.optional(),
    }),
    response: z.object({
      frames: z.array(trafficFrameSummarySchema),
      /** Pass as `before` for the previous page; absent at the oldest frame. */
      olderCursor: z.number().int().optional(),
      /** Pass as `after` to get frames newer than this page. */
      newerCursor: z.number().int().optional(),
      stats: trafficStatsSchema,
    }),
  }),
  getTrafficFrame: defineRoute({
    method: 'GET',
    path: '/api/traffic/frames/:seq',
    tag: 'traffic',
    summary: 'One frame with its bytes and every decoded layer, field byte ranges included',
    params: z.object({ seq: seqParam }),
    response: trafficFrameDetailSchema,
  }),
  clearTraffic: defineRoute({
    method: 'DELETE',
    path: '/api/traffic/frames',
    tag: 'traffic',
    summary: 'Empty the capture buffer',
    response: trafficStatsSchema,
  }),
  trafficStats: defineRoute({
    method: 'GET',
    path: '/api/traffic/stats',
    tag: 'traffic',
    summary: 'Buffer size, frames captured and dropped, continuous capture file',
    response: trafficStatsSchema,
  }),
  putTrafficSettings: defineRoute({
    method: 'PUT',
    path: '/api/traffic/settings',
    tag: 'traffic',
    summary:
      'Buffer capacity, continuous capture to a pcapng file in the data folder, and stopping/starting capture (not saved: capture is on after a restart)',
    body: z.object({
      capturing: z.boolean().optional(),
      capacity: z.number().int().min(100).max(5_000_000).optional(),
      captureToFile: z.boolean().optional(),
    }),
    response: trafficStatsSchema,
  }),
  checkTrafficFilter: defineRoute({
    method: 'GET',
    path: '/api/traffic/filter-check',
    tag: 'traffic',
    summary: 'Parse a display filter: valid, or the error and its position',
    query: z.object({ expression: z.string().max(2000).default('') }),
    response: z.object({ valid: z.boolean(), error: filterErrorSchema.optional() }),
  }),
  exportTraffic: defineRoute({
    method: 'GET',
    path: '/api/traffic/export',
    tag: 'traffic',
    summary: 'The whole buffer or the filtered frames as pcapng (synthesized IP/TCP/UDP headers) or JSON',
    query: z.object({
      format: z.enum(['pcapng', 'json']).default('pcapng'),
      filter: z.string().max(2000).optional(),
    }),
    response: z.object({
      fileName: z.string(),
      mediaType: z.string(),
      frames: z.number().int(),
      contentBase64: z.string(),
    }),
  }),
  listSavedFilters: defineRoute({
    method: 'GET',
    path: '/api/traffic/saved-filters',
    tag: 'traffic',
    summary: 'Saved display filters',
    response: z.object({ filters: z.array(savedFilterSchema) }),
  }),
  saveFilter: defineRoute({
    method: 'POST',
    path: '/api/traffic/saved-filters',
    tag: 'traffic',
    summary: 'Save a display filter under a name (the name is replaced if it exists)',
    body: z.object({ name: z.string().trim().min(1).max(100), expression: z.string().min(1).max(2000) }),
    response: savedFilterSchema,
    status: 201,
  }),
  deleteSavedFilter: defineRoute({
    method: 'DELETE',
    path: '/api/traffic/saved-filters/:id',
    tag: 'traffic',
    summary: 'Delete a saved display filter',
    params: z.object({ id: z.coerce.number().int() }),
    response: z.object({ deleted: z.boolean() }),
  }),
} as const;
