// Simulated NB-IoT (LwM2M) devices: fleets of a product that register, report on /19/0/0 and lose coverage on demand.
import { z } from 'zod';
import { defineRoute } from './define.js';

const hexSchema = z
  .string()
  .max(2048)
  .regex(/^([0-9a-fA-F]{2})*$/, 'hex must be an even number of hex digits');

/** Upgrade faults and radio of a simulated device (OTA tests): what it answers and where it stops. */
export const simOtaFaultsSchema = z.object({
  /** PCP 20 answered 3 (already the latest version). */
  alreadyLatest: z.boolean().optional(),
  /** PCP 20 answered 1. */
  busy: z.boolean().optional(),
  /** PCP 20 answered 4. */
  lowBattery: z.boolean().optional(),
  /** The downloaded package fails its check (PCP 22 result 7, /5/0/5 = 5). */
  checkFailed: z.boolean().optional(),
  /** The install fails (PCP 24 result 0x0A, /5/0/5 = 8). */
  installFailed: z.boolean().optional(),
  /** The answer to this shard (PCP) or block (FOTA) never arrives: asked three times, then download timeout. */
  dropShard: z.number().int().min(0).max(65535).optional(),
  /** Coverage is lost when the device reaches this shard or block (regain it to resume). */
  offlineAtShard: z.number().int().min(0).max(65535).optional(),
  /** Radio as read from /4/0; `cellId: null` makes the cell unknown, `rsrpDbm: null` fails the coverage query. */
  rsrpDbm: z.number().min(-160).max(0).nullable().optional(),
  sinrDb: z.number().min(-30).max(40).optional(),
  cellId: z.number().int().min(0).max(268435455).nullable().optional(),
});
export type SimOtaFaults = z.infer<typeof simOtaFaultsSchema>;

export const startFleetBodySchema = z.object({
  productId: z.string().min(1).max(64),
  count: z.number().int().min(1).max(2000).default(1),
  /** Explicit nodeIds (IMEIs); `count` is ignored when given. */
  nodeIds: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/))
    .min(1)
    .max(2000)
    .optional(),
  /** First of consecutive numeric nodeIds, e.g. `863703030000001`. */
  firstNodeId: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  /** Seconds between two reports of one device; 0 = report only on "notify now". */
  intervalS: z.number().min(0).max(86400).default(60),
  /** A fixed frame for every report; without it frames come from the product's layout codec. */
  hex: hexSchema.min(2).optional(),
  lifetimeS: z.number().int().min(30).max(2592000).default(86400),
  firmwareVersion: z.string().min(1).max(32).default('V1.0.0'),
  softwareVersion: z.string().min(1).max(32).default('SW1.0.0'),
  /** Upgrade faults for consecutive devices of the fleet, group after group (`count` devices or a `share`). */
  otaFaults: z
    .array(
      z.object({
        count: z.number().int().min(0).max(2000).optional(),
        share: z.number().min(0).max(1).optional(),
        faults: simOtaFaultsSchema,
      }),
    )
    .max(32)
    .default([]),
});
export type StartFleetBody = z.output<typeof startFleetBodySchema>;
export type StartFleetRequest = z.input<typeof startFleetBodySchema>;

export const simDeviceStates = ['stopped', 'registering', 'registered', 'rebooting', 'no-coverage', 'failed'] as const;

export const simDeviceSchema = z.object({
  deviceId: z.string(),
  nodeId: z.string(),
  state: z.enum(simDeviceStates),
  /** Paths the platform observes on this device, e.g. `/19/0/0`. */
  observed: z.array(z.string()),
  uplinks: z.number().int(),
  downlinks: z.number().int(),
  reboots: z.number().int(),
  registrations: z.number().int(),
  registeredAt: z.string().optional(),
  error: z.string().optional(),
  firmwareVersion: z.string().optional(),
  softwareVersion: z.string().optional(),
  /** Shards (PCP) or blocks (FOTA) of the current download the device holds. */
  shardsHeld: z.number().int().optional(),
});
export type SimDevice = z.infer<typeof simDeviceSchema>;

export const simFleetSchema = z.object({
  id: z.string(),
  productId: z.string(),
  intervalS: z.number(),
  frameSource: z.enum(['layout', 'hex', 'none']),
  startedAt: z.string(),
  devices: z.array(simDeviceSchema),
});
export type SimFleet = z.infer<typeof simFleetSchema>;

const fleetParams = z.object({ id: z.string().min(1).max(64) });
const deviceParams = z.object({ deviceId: z.string().min(1).max(160) });

export const simulatorLwm2mRoutes = {
  startLwm2mFleet: defineRoute({
    method: 'POST',
    path: '/api/simulator/lwm2m/fleets',
    tag: 'simulator',
    summary: 'Start simulated NB-IoT devices of a CoAP/LwM2M product (registered in the platform when missing)',
    body: startFleetBodySchema,
    response: simFleetSchema,
    status: 201,
  }),
  listLwm2mFleets: defineRoute({
    method: 'GET',
    path: '/api/simulator/lwm2m/fleets',
    tag: 'simulator',
    summary: 'Running fleets of simulated NB-IoT devices',
    response: z.object({ fleets: z.array(simFleetSchema) }),
  }),
  stopLwm2mFleet: defineRoute({
    method: 'DELETE',
    path: '/api/simulator/lwm2m/fleets/:id',
    tag: 'simulator',
    summary: 'Stop a fleet: its devices deregister and go away (they stay registered in the platform)',
    params: fleetParams,
    response: z.object({ stopped: z.literal(true) }),
  }),
  getLwm2mSimDevice: defineRoute({
    method: 'GET',
    path: '/api/simulator/lwm2m/devices/:deviceId',
    tag: 'simulator',
    summary: 'One simulated device: state, observed paths, counters',
    params: deviceParams,
    response: simDeviceSchema,
  }),
  notifyLwm2mSimDevice: defineRoute({
    method: 'POST',
    path: '/api/simulator/lwm2m/devices/:deviceId/notify',
    tag: 'simulator',
    summary: 'Report one frame now on /19/0/0: the hex given, or the next frame built by the layout codec',
    params: deviceParams,
    body: z.object({ hex: hexSchema.min(2).optional() }),
    response: z.object({ hex: z.string() }),
  }),
  setLwm2mSimCoverage: defineRoute({
    method: 'POST',
    path: '/api/simulator/lwm2m/devices/:deviceId/coverage',
    tag: 'simulator',
    summary: 'Lose or regain radio coverage: nothing goes in or out while lost; regaining sends a registration update',
    params: deviceParams,
    body: z.object({ on: z.boolean() }),
    response: simDeviceSchema,
  }),
  setLwm2mSimOtaFaults: defineRoute({
    method: 'POST',
    path: '/api/simulator/lwm2m/devices/:deviceId/ota-faults',
    tag: 'simulator',
    summary: 'Set the upgrade faults and radio of one simulated device (replaces the previous ones)',
    params: deviceParams,
    body: simOtaFaultsSchema,
    response: simDeviceSchema,
  }),
} as const;
