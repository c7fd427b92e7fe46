// Device shadow: per service the desired and reported properties with their times and version, the mismatches
// with their age, the history of desired changes, and the routes that read and change them.
import { z } from 'zod';
import { defineRoute } from './define.js';

/** Where a desired value stands: waiting for the device, on its way, taken by the device, or refused/lost. */
export const desiredDeliveryStates = ['pending', 'sent', 'delivered', 'failed'] as const;
export type DesiredDeliveryState = (typeof desiredDeliveryStates)[number];

export const desiredPropertySchema = z.object({
  value: z.unknown(),
  setAt: z.number(),
  /** `ui`, `api` or `northbound:<appId>`. */
  setBy: z.string(),
  delivery: z.enum(desiredDeliveryStates),
  /** English reason of a failed delivery. */
  reason: z.string().optional(),
  /** Since when the reported value differs from this one; absent while they agree. */
  mismatchSince: z.number().optional(),
});
export type DesiredProperty = z.infer<typeof desiredPropertySchema>;

export const shadowServiceSchema = z.object({
  serviceId: z.string(),
  serviceType: z.string(),
  desired: z.record(z.string(), desiredPropertySchema),
  /** When desired last changed. */
  desiredAt: z.number().optional(),
  reported: z.record(z.string(), z.unknown()),
  /** The event time of the latest report of this service. */
  reportedAt: z.number().optional(),
  version: z.number().int(),
});
export type ShadowService = z.infer<typeof shadowServiceSchema>;

export const deviceShadowSchema = z.object({
  deviceId: z.string(),
  online: z.boolean(),
  status: z.string(),
  version: z.number().int(),
  services: z.array(shadowServiceSchema),
});
export type DeviceShadow = z.infer<typeof deviceShadowSchema>;

export const serviceDesiredSchema = z.object({
  serviceId: z.string().min(1).max(64),
  desired: z.record(z.string().min(1).max(64), z.unknown()),
});
export const setDesiredBodySchema = z.object({ services: z.array(serviceDesiredSchema).min(1).max(64) });
export type SetDesiredBody = z.infer<typeof setDesiredBodySchema>;

export const desiredChangeSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  by: z.string(),
  serviceId: z.string(),
  property: z.string(),
  /** Absent when the property had no desired value before. */
  oldValue: z.unknown().optional(),
  newValue: z.unknown(),
  /** The delivery that carried it, once one did. */
  delivery: z.enum(desiredDeliveryStates),
  reason: z.string().optional(),
});
export type DesiredChange = z.infer<typeof desiredChangeSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(160) });

export const shadowRoutes = {
  getShadow: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/shadow',
    summary: "The device's shadow: desired and reported per service, mismatches and their age",
    tag: 'shadow',
    params: deviceParams,
    response: deviceShadowSchema,
  }),
  setDesired: defineRoute({
    method: 'PUT',
    path: '/api/devices/:id/shadow/desired',
    summary: 'Sets desired values (writable properties, checked against the model); sent at once to an online device',
    tag: 'shadow',
    params: deviceParams,
    body: setDesiredBodySchema,
    response: deviceShadowSchema,
  }),
  listDesiredHistory: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/shadow/history',
    summary: 'The history of desired changes: who, when, old and new value, delivery result',
    tag: 'shadow',
    params: deviceParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(desiredChangeSchema) }),
  }),
} as const;
