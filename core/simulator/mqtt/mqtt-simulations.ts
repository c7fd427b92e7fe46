// Fleets of virtual MQTT devices of one product: registered when missing, connected with their real secrets,
// reporting at a chosen rate; used by the core (API) and by `iotwb simulate` against a running core.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { DomainError } from '../../domain-error.js';
import type { ProductModel } from '../../contract/product-model.js';
import {
  startMqttSimulationSchema,
  type MqttSimDevice,
  type MqttSimulation,
  type StartMqttSimulation,
} from '../../contract/simulator.js';
import type { SimOtaFaults } from '../../contract/simulator-lwm2m.js';
import { faultGroups } from '../ota-fault-groups.js';
import { VirtualMqttDevice, type VirtualDeviceEvent } from './virtual-mqtt-device.js';

/** A refused or failed simulation; its code's HTTP status is in core/api/error-statuses.ts. */
export class SimulationError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'SimulationError';
  }
}

export interface SimulationDeps {
  clock: Clock;
  /** `mqtt://host:port` of the platform's MQTT port. */
  brokerUrl(): string | Promise<string>;
  product(productId: string): Promise<{ model: ProductModel } | undefined> | { model: ProductModel } | undefined;
  /** Registers the device when missing; returns its deviceId and secret either way. */
  ensureDevice(productId: string, nodeId: string): Promise<{ deviceId: string; secret: string }>;
  onChange?(simulation: MqttSimulation): void;
}

interface Simulation {
  view: MqttSimulation;
  devices: VirtualMqttDevice[];
}

const CONNECT_BATCH = 50;

/** MQTT devices have no coverage level: the radio fields of the shared fault body do not apply. */
function radioless(faults: SimOtaFaults): SimOtaFaults {
  const { rsrpDbm: _rsrp, sinrDb: _sinr, cellId: _cell, ...rest } = faults;
  return rest;
}

const readable = (model: ProductModel) => model.services.some((s) => s.properties.some((p) => p.method.includes('R')));

function viewOf(s: Simulation): MqttSimulation {
  if (s.view.subDevices === undefined) return { ...s.view };
  return { ...s.view, subDevices: s.devices.reduce((n, d) => n + d.subDevices.length, 0) };
}

export class MqttSimulations {
  private readonly simulations = new Map<string, Simulation>();

  constructor(private readonly deps: SimulationDeps) {}

  async start(input: StartMqttSimulation): Promise<MqttSimulation> {
    const body = startMqttSimulationSchema.parse(input);
    const product = await this.deps.product(body.productId);
    if (!product) throw new SimulationError('PRODUCT_NOT_FOUND', `no product has the id ${body.productId}`);
    if (product.model.protocolType !== 'MQTT')
      throw new SimulationError(
        'NOT_AN_MQTT_PRODUCT',
        `product ${body.productId} uses ${product.model.protocolType}; simulate it with --protocol lwm2m`,
      );
    const subProduct = body.subDevices > 0 ? await this.subDeviceProduct(body) : undefined;
    // A device that only connects (rate 0) needs nothing to report: it answers commands and `$ota`.
    if (!subProduct && body.rate > 0 && !readable(product.model))
      throw new SimulationError('NOTHING_TO_REPORT', `product ${body.productId} has no readable property to report`);

    const id = randomUUID();
    const simulation: Simulation = {
      view: {
        id,
        productId: body.productId,
        nodeIdPrefix: body.nodeIdPrefix,
        dialect: body.dialect,
        rate: body.rate,
        status: 'starting',
        devices: body.count,
        connected: 0,
        reportsSent: 0,
        commandsAnswered: 0,
        ...(subProduct ? { subDevices: 0 } : {}),
        errors: 0,
        startedAt: new Date(this.deps.clock.now()).toISOString(),
      },
      devices: [],
    };
    this.simulations.set(id, simulation);
    const brokerUrl = await this.deps.brokerUrl();
    const onEvent = (event: VirtualDeviceEvent) => {
      const v = simulation.view;
      if (event.kind === 'connected') v.connected++;
      else if (event.kind === 'disconnected') v.connected = Math.max(0, v.connected - 1);
      else if (event.kind === 'reported') v.reportsSent++;
      else if (event.kind === 'answered') v.commandsAnswered++;
      else {
        v.errors++;
        v.lastError = event.message;
      }
    };

    const faultsOf = faultGroups(body.otaFaults, body.count);
    try {
      for (let i = 0; i < body.count; i += CONNECT_BATCH) {
        const batch = Array.from({ length: Math.min(CONNECT_BATCH, body.count - i) }, (_, k) => i + k);
        const devices = await Promise.all(
          batch.map(async (index) => {
            const nodeId = `${body.nodeIdPrefix}${index + 1}`;
            const { deviceId, secret } = await this.deps.ensureDevice(body.productId, nodeId);
            const device = new VirtualMqttDevice({
              brokerUrl,
              deviceId,
              secret,
              dialect: body.dialect,
              model: product.model,
              rate: body.rate,
              clock: this.deps.clock,
              onEvent,
              ota: {
                firmwareVersion: body.firmwareVersion,
                softwareVersion: body.softwareVersion,
                faults: radioless(faultsOf[index] ?? {}),
              },
              ...(subProduct && body.subDeviceProductId
                ? {
                    subDevices: {
                      productId: body.subDeviceProductId,
                      model: subProduct.model,
                      nodeIds: Array.from({ length: body.subDevices }, (_, k) => `${nodeId}-sub-${k + 1}`),
                    },
                  }
                : {}),
            });
            simulation.devices.push(device);
            await device.connect();
            return device;
          }),
        );
        if (simulation.view.status === 'stopped') break;
        for (const d of devices) d.startReporting();
      }
    } catch (error) {
      await this.stop(id);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SimulationError) throw error;
      throw new SimulationError('SIMULATION_FAILED', `starting the devices failed: ${message}`);
    }
    if (simulation.view.status === 'starting') simulation.view.status = 'running';
    this.deps.onChange?.(simulation.view);
    return viewOf(simulation);
  }

  list(): MqttSimulation[] {
    return [...this.simulations.values()].map((s) => viewOf(s));
  }

  get(id: string): MqttSimulation {
    return viewOf(this.simulation(id));
  }

  /** A virtual device of any simulation, as its `$ota` side sees it. */
  device(deviceId: string): MqttSimDevice {
    const { simulation, device } = this.find(deviceId);
    const ota = device.ota;
    return {
      deviceId,
      simulationId: simulation.view.id,
      connected: device.connected,
      firmwareVersion: ota?.firmwareVersion ?? null,
      softwareVersion: ota?.softwareVersion ?? null,
      bytesHeld: ota?.bytesHeld ?? 0,
      downloadStatuses: ota ? [...ota.statuses] : [],
      otaFaults: ota?.faults ?? {},
    };
  }

  /** Replaces a virtual device's upgrade faults (the radio fields do not apply over MQTT and are dropped). */
  setOtaFaults(deviceId: string, faults: SimOtaFaults): MqttSimDevice {
    const { device } = this.find(deviceId);
    if (!device.ota)
      throw new SimulationError(
        'NOT_SIMULATED',
        `device ${deviceId} is a gateway or speaks the legacy dialect: no $ota`,
      );
    device.ota.faults = radioless(faults);
    return this.device(deviceId);
  }

  private find(deviceId: string): { simulation: Simulation; device: VirtualMqttDevice } {
    for (const simulation of [...this.simulations.values()].reverse()) {
      if (simulation.view.status === 'stopped') continue;
      const device = simulation.devices.find((d) => d.deviceId === deviceId);
      if (device) return { simulation, device };
    }
    throw new SimulationError('NOT_SIMULATED', `device ${deviceId} is in no running MQTT simulation`);
  }

  /** The gateways of a simulation report all their sub-devices online or offline. */
  setSubDevicesOnline(id: string, online: boolean): MqttSimulation {
    const simulation = this.simulation(id);
    if (simulation.view.subDevices === undefined)
      throw new SimulationError('NOT_A_GATEWAY', `simulation ${id} has no gateways`);
    for (const d of simulation.devices) d.setSubDevicesOnline(online);
    return viewOf(simulation);
  }

  private simulation(id: string): Simulation {
    const simulation = this.simulations.get(id);
    if (!simulation) throw new SimulationError('SIMULATION_NOT_FOUND', `no simulation has the id ${id}`);
    return simulation;
  }

  private async subDeviceProduct(body: { dialect: string; subDeviceProductId?: string | undefined }) {
    if (body.dialect !== 'iotda')
      throw new SimulationError('BAD_REQUEST', 'gateways with sub-devices speak the IoTDA dialect only');
    if (body.subDeviceProductId === undefined)
      throw new SimulationError('BAD_REQUEST', 'subDevices needs subDeviceProductId, the product of the sub-devices');
    const sub = await this.deps.product(body.subDeviceProductId);
    if (!sub) throw new SimulationError('PRODUCT_NOT_FOUND', `no product has the id ${body.subDeviceProductId}`);
    if (!readable(sub.model))
      throw new SimulationError('NOTHING_TO_REPORT', `product ${body.subDeviceProductId} has no readable property`);
    return sub;
  }

  async stop(id: string): Promise<MqttSimulation> {
    const simulation = this.simulations.get(id);
    if (!simulation) throw new SimulationError('SIMULATION_NOT_FOUND', `no simulation has the id ${id}`);
    simulation.view.status = 'stopped';
    await Promise.all(simulation.devices.map((d) => d.stop()));
    simulation.view.connected = 0;
    this.deps.onChange?.(simulation.view);
    return { ...simulation.view };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.simulations.keys()].map((id) => this.stop(id)));
  }
}
