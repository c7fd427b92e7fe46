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
  stopMqttSimulation: defineRoute({
    method: 'DELETE',
    path: '/api/simulator/mqtt/:id',
    tag: 'simulator',
    summary: 'Stop an MQTT simulation: its devices disconnect (they stay registered)',
    params: simulationParams,
    response: mqttSimulationSchema,
  }),
} as const;
