// Configuration update: writable property values for one device from a JSON file or the form, run now, when
// the device is next online or at a time, with a retry policy; a pending config absorbs a newer one (later keys win).
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';

/** `{ "<serviceId>": { "<property>": value } }`: the shape of the JSON file and of every stored config. */
export const configValuesSchema = z
  .record(z.string().min(1).max(64), z.record(z.string().min(1).max(64), z.unknown()))
  .refine((v) => Object.values(v).some((props) => Object.keys(props).length > 0), {
    message: 'a config sets at least one property',
  });
export type ConfigValues = z.infer<typeof configValuesSchema>;

export const configSchedules = ['now', 'online', 'at'] as const;
export type ConfigSchedule = (typeof configSchedules)[number];

/** WAITING: not sent yet (its time, the device, or a retry); SENDING: on the wire; then SUCCESS or FAILED. */
export const configStatuses = ['WAITING', 'SENDING', 'SUCCESS', 'FAILED'] as const;
export type ConfigStatus = (typeof configStatuses)[number];

export const retryPolicySchema = z.object({
  /** Attempts after the first one. */
  count: z.number().int().min(0).max(10).default(0),
  intervalS: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(120),
});

export const createConfigBodySchema = z
  .object({
    values: configValuesSchema,
    schedule: z.enum(configSchedules).default('now'),
    /** With `at`: when to run it (ms since the epoch). */
    at: z.number().int().optional(),
    retry: retryPolicySchema.default({ count: 0, intervalS: 120 }),
  })
  .refine((b) => b.schedule !== 'at' || b.at !== undefined, { message: 'a scheduled config needs at', path: ['at'] });
export type CreateConfigBody = z.input<typeof createConfigBodySchema>;
export type CreateConfigInput = z.output<typeof createConfigBodySchema>;

export const configUpdateSchema = z.object({
  configId: z.string(),
  deviceId: z.string(),
  values: configValuesSchema,
  schedule: z.enum(configSchedules),
  at: z.number().optional(),
  retry: z.object({ count: z.number().int(), intervalS: z.number().int() }),
  status: z.enum(configStatuses),
  attempts: z.number().int(),
  /** How many later configs were merged into this one before it reached the device. */
  mergedCount: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
  /** When the next attempt runs (a retry, or the scheduled time). */
  nextAttemptAt: z.number().optional(),
  /** English reason of the last failed attempt. */
  reason: z.string().optional(),
});
export type ConfigUpdate = z.infer<typeof configUpdateSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(160) });

export const deviceConfigRoutes = {
  createConfigUpdate: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/config',
    summary: 'Sends a config (merged into a pending one when there is one: later keys win, one delivery)',
    tag: 'config',
    params: deviceParams,
    body: createConfigBodySchema,
    response: z.object({ config: configUpdateSchema, merged: z.boolean() }),
    status: 201,
  }),
  listConfigUpdates: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/config',
    summary: "The device's config updates (its operation records), newest first, and its last successful config",
    tag: 'config',
    params: deviceParams,
    response: z.object({
      items: z.array(configUpdateSchema),
      pending: configUpdateSchema.optional(),
      lastSuccessful: configUpdateSchema.optional(),
    }),
  }),
  downloadLastConfig: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/config/last.json',
    summary: 'The last successful config of the device as a JSON file',
    tag: 'config',
    params: deviceParams,
    response: binaryDownloadSchema,
  }),
} as const;
