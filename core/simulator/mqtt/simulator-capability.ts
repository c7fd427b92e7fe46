// The MQTT simulator inside the core: fleets against the core's own MQTT port, started and stopped from the API.
import type { Capability } from '../../capability.js';
import type { ProductModel } from '../../contract/product-model.js';
import { simulatorRoutes } from '../../contract/simulator.js';
import { deviceIdOf, type DeviceRegistry } from '../../devices/index.js';
import { MqttSimulations, SimulationError } from './mqtt-simulations.js';

export interface MqttSimulatorDeps {
  devices: () => DeviceRegistry;
  productModel: (productId: string) => ProductModel | undefined;
}

export interface MqttSimulatorCapability extends Capability {
  readonly simulations: MqttSimulations;
}

/** The core's own MQTT port, reached on loopback when it listens on every address. */
export function brokerUrlFor(address: string, port: number): string {
  if (address === '0.0.0.0' || address === '') return `mqtt://127.0.0.1:${port}`;
  if (address === '::') return `mqtt://[::1]:${port}`;
  return address.includes(':') ? `mqtt://[${address}]:${port}` : `mqtt://${address}:${port}`;
}

export function createMqttSimulatorCapability(deps: MqttSimulatorDeps): MqttSimulatorCapability {
  let simulations: MqttSimulations | undefined;
  return {
    name: 'simulator-mqtt',
    migrations: [],
    get simulations() {
      if (!simulations) throw new Error('the MQTT simulator has not started');
      return simulations;
    },
    start({ clock, ports, routes, bus }) {
      const sims = new MqttSimulations({
        clock,
        brokerUrl: () => {
          const listener = ports.tcp('mqtt');
          const address = listener?.server.address();
          if (!listener || typeof address !== 'object' || !address)
            throw new SimulationError('MQTT_PORT_CLOSED', 'the MQTT port is not open');
          return brokerUrlFor(address.address, listener.port);
        },
        product: (id) => {
          const model = deps.productModel(id);
          return model ? { model } : undefined;
        },
        ensureDevice: (productId, nodeId) => {
          const registry = deps.devices();
          const existing = registry.get(deviceIdOf(productId, nodeId));
          if (existing)
            return Promise.resolve({ deviceId: existing.deviceId, secret: registry.secret(existing.deviceId) ?? '' });
          const { device, secret } = registry.register({ productId, nodeId });
          return Promise.resolve({ deviceId: device.deviceId, secret });
        },
        onChange: (simulation) =>
          bus.publish('task', {
            at: clock.now(),
            taskId: simulation.id,
            kind: 'simulator-mqtt',
            status: simulation.status,
            message: `${simulation.connected}/${simulation.devices} connected, ${simulation.reportsSent} reports`,
          }),
      });
      simulations = sims;
      routes.add(simulatorRoutes.startMqttSimulation, ({ body }) => sims.start(body));
      routes.add(simulatorRoutes.listMqttSimulations, () => ({ items: sims.list() }));
      routes.add(simulatorRoutes.getMqttSimulation, ({ params }) => sims.get(params.id));
      routes.add(simulatorRoutes.setSimulatedSubDevicesOnline, ({ params, body }) =>
        sims.setSubDevicesOnline(params.id, body.online),
      );
      routes.add(simulatorRoutes.getMqttSimDevice, ({ params }) => sims.device(params.deviceId));
      routes.add(simulatorRoutes.setMqttSimOtaFaults, ({ params, body }) => sims.setOtaFaults(params.deviceId, body));
      routes.add(simulatorRoutes.stopMqttSimulation, ({ params }) => sims.stop(params.id));
    },
    async stop() {
      await simulations?.stopAll();
    },
  };
}
