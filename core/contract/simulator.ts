// The MQTT device simulator: fleets of virtual MQTT devices of one product reporting generated values.
import { z } from 'zod';
import { defineRoute } from './define.js';

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
});
export type StartMqttSimulation = z.input<typeof startMqttSimulationSchema>;

export const mqttSimulationSchema = z.object({
  id: z.string(),
  productId: z.string(),
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

const simulationParams = z.object({ id: z.string().min(1).max(64) });

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
  stopMqttSimulation: defineRoute({
    method: 'DELETE',
    path: '/api/simulator/mqtt/:id',
    tag: 'simulator',
    summary: 'Stop an MQTT simulation: its devices disconnect (they stay registered)',
    params: simulationParams,
    response: mqttSimulationSchema,
  }),
} as const;
