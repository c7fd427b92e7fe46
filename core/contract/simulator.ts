// The MQTT device simulator: fleets of virtual MQTT devices of one product reporting generated values.
import { z } from 'zod';
import { defineRoute } from './define.js';
import { simOtaFaultsSchema } from './simulator-lwm2m.js';

export const simulatorDialects = ['iotda', 'legacy'] as const;
export type SimulatorDialect = (typeof simulatorDialects)[number];

export const startMqttSimulationSchema = z.object({
  productId: z.string().min(1).max(64),
  count: z.number().int().min(1).max(10_000),
  /** Reports per second of each device (0.1 = one every 10 s; 0 = connect only). */
  rate: z.number().min(0).max(100),
  /** iotda: `$oc/devices/{id}/sys/properties/report`; legacy: `/huawei/v1/devices/{id}/data/json`. */
  dialect: z.enum(simulatorDialects).default('iotda'),
  /** nodeIds are `<prefix><index>`; devices that exist already are reused. */
  nodeIdPrefix: z
    .string()
    .min(1)
    .max(48)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'nodeIdPrefix may only hold letters, digits and _ . : -')
    .default('sim-'),
  /** Makes each device a gateway (IoTDA) that adds this many sub-devices itself and reports for them in batches. */
  subDevices: z.number().int().min(0).max(10_000).default(0),
  /** The sub-devices' product (any protocol; its model gives the reported values). */
  subDeviceProductId: z.string().min(1).max(64).optional(),
  /** IoTDA `$ota`: the versions each device reports to version_query. */
  firmwareVersion: z.string().min(1).max(32).default('V1.0.0'),
  softwareVersion: z.string().min(1).max(32).default('SW1.0.0'),
  /**
   * Upgrade faults for consecutive devices, as for LwM2M fleets (same body). Over HTTP a shard is 1 KiB of the file
   * (dropShard: that KiB never arrives, three tries, then download timeout; offlineAtShard: the session drops there
   * for 30 s, then the device reconnects and resumes by Range); the radio fields do not apply to MQTT devices.
   */
  otaFaults: z
    .array(
      z.object({
        count: z.number().int().min(0).max(10_000).optional(),
        share: z.number().min(0).max(1).optional(),
        faults: simOtaFaultsSchema,
      }),
    )
    .max(32)
    .default([]),
});
export type StartMqttSimulation = z.input<typeof startMqttSimulationSchema>;

export const mqttSimulationSchema = z.object({
  id: z.string(),
  productId: z.string(),
  /** Device n (from 1) of the simulation has the nodeId `<nodeIdPrefix><n>`. */
  nodeIdPrefix: z.string(),
  dialect: z.enum(simulatorDialects),
  rate: z.number(),
  status: z.enum(['starting', 'running', 'stopped']),
  devices: z.number().int(),
  connected: z.number().int(),
  reportsSent: z.number().int(),
  commandsAnswered: z.number().int(),
  /** Gateways: sub-devices the platform confirmed, over all gateways of the simulation. */
  subDevices: z.number().int().optional(),
  errors: z.number().int(),
  lastError: z.string().optional(),
  startedAt: z.string(),
});
export type MqttSimulation = z.infer<typeof mqttSimulationSchema>;

/** One virtual MQTT device as its `$ota` side sees it. */
export const mqttSimDeviceSchema = z.object({
  deviceId: z.string(),
  simulationId: z.string(),
  connected: z.boolean(),
  firmwareVersion: z.string().nullable(),
  softwareVersion: z.string().nullable(),
  /** Bytes of the current download the device holds (what a Range request resumes from). */
  bytesHeld: z.number().int(),
  /** The HTTP statuses of its last download's requests: 200, then 206 for each Range resume. */
  downloadStatuses: z.array(z.number().int()),
  otaFaults: simOtaFaultsSchema,
});
export type MqttSimDevice = z.infer<typeof mqttSimDeviceSchema>;

const simulationParams = z.object({ id: z.string().min(1).max(64) });
const simDeviceParams = z.object({ deviceId: z.string().min(1).max(160) });

export const simulatorRoutes = {
  startMqttSimulation: defineRoute({
    method: 'POST',
    path: '/api/simulator/mqtt',
    tag: 'simulator',
    summary: 'Start virtual MQTT devices of a product (registered when missing) reporting generated values',
    body: startMqttSimulationSchema,
    response: mqttSimulationSchema,
    status: 201,
  }),
  listMqttSimulations: defineRoute({
    method: 'GET',
    path: '/api/simulator/mqtt',
    tag: 'simulator',
    summary: 'Running and stopped MQTT simulations with their counters',
    response: z.object({ items: z.array(mqttSimulationSchema) }),
  }),
  getMqttSimulation: defineRoute({
    method: 'GET',
    path: '/api/simulator/mqtt/:id',
    tag: 'simulator',
    summary: 'One MQTT simulation',
    params: simulationParams,
    response: mqttSimulationSchema,
  }),
  setSimulatedSubDevicesOnline: defineRoute({
    method: 'POST',
    path: '/api/simulator/mqtt/:id/sub-devices/status',
    tag: 'simulator',
    summary: "The simulation's gateways report all their sub-devices ONLINE or OFFLINE (sub_device_update_status)",
    params: simulationParams,
    body: z.object({ online: z.boolean() }),
    response: mqttSimulationSchema,
  }),
  getMqttSimDevice: defineRoute({
    method: 'GET',
    path: '/api/simulator/mqtt/devices/:deviceId',
    tag: 'simulator',
    summary: 'One virtual MQTT device: connected, the versions it runs, the download it holds, its upgrade faults',
    params: simDeviceParams,
    response: mqttSimDeviceSchema,
  }),
  setMqttSimOtaFaults: defineRoute({
    method: 'POST',
    path: '/api/simulator/mqtt/devices/:deviceId/ota-faults',
    tag: 'simulator',
    summary: "Set one virtual MQTT device's upgrade faults (the LwM2M simulator's body; replaces the previous ones)",
    params: simDeviceParams,
    body: simOtaFaultsSchema,
    response: mqttSimDeviceSchema,
  }),
  stopMqttSimulation: defineRoute({
    method: 'DELETE',
    path: '/api/simulator/mqtt/:id',
    tag: 'simulator',
    summary: 'Stop an MQTT simulation: its devices disconnect (they stay registered)',
    params: simulationParams,
    response: mqttSimulationSchema,
  }),
} as const;
