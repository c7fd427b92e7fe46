// The LwM2M simulator capability: fleets of virtual NB-IoT devices inside the core, against its own CoAP port.
import type { Capability } from '../../capability.js';
import type { CodecLayout } from '../../contract/codecs.js';
import type { ProductModel } from '../../contract/product-model.js';
import { simulatorLwm2mRoutes } from '../../contract/simulator-lwm2m.js';
import type { ServerAddress } from './lwm2m-device-client.js';
import { Lwm2mFleets, SimulatorError } from './lwm2m-fleet.js';

export interface Lwm2mSimulatorCapability extends Capability {
  readonly fleets: Lwm2mFleets;
}

export interface Lwm2mSimulatorDeps {
  product(productId: string): { model: ProductModel } | undefined;
  layout(productId: string): CodecLayout | undefined;
  ensureDevice(productId: string, nodeId: string): string;
  rebootMs?: number;
}

/** A wildcard bind address is reached on loopback; a concrete one as is. */
export function loopbackTarget(address: string, port: number): ServerAddress {
  if (address === '0.0.0.0') return { host: '127.0.0.1', port };
  if (address === '::') return { host: '::1', port };
  return { host: address, port };
}

export function createLwm2mSimulatorCapability(deps: () => Lwm2mSimulatorDeps): Lwm2mSimulatorCapability {
  let fleets: Lwm2mFleets | undefined;
  return {
    name: 'simulator-lwm2m',
    migrations: [],
    get fleets() {
      if (!fleets) throw new Error('the LwM2M simulator has not started');
      return fleets;
    },
    start({ clock, ports, routes, bus }) {
      const d = deps();
      const f = new Lwm2mFleets({
        clock,
        server: () => {
          const listener = ports.udp('coap');
          if (!listener) throw new SimulatorError('COAP_PORT_CLOSED', 'the CoAP port is not open');
          return loopbackTarget(listener.socket.address().address, listener.port);
        },
        product: (id) => d.product(id),
        layout: (id) => d.layout(id),
        ensureDevice: (productId, nodeId) => d.ensureDevice(productId, nodeId),
        ...(d.rebootMs !== undefined ? { rebootMs: d.rebootMs } : {}),
        onChange: (fleetId, deviceId) =>
          bus.publish('task', {
            at: clock.now(),
            taskId: fleetId,
            kind: 'simulator.lwm2m',
            status: 'running',
            ...(deviceId ? { message: deviceId } : {}),
          }),
      });
      fleets = f;
      routes.add(simulatorLwm2mRoutes.startLwm2mFleet, ({ body }) => f.start(body));
      routes.add(simulatorLwm2mRoutes.listLwm2mFleets, () => ({ fleets: f.list() }));
      routes.add(simulatorLwm2mRoutes.stopLwm2mFleet, async ({ params }) => {
        await f.stop(params.id);
        return { stopped: true as const };
      });
      routes.add(simulatorLwm2mRoutes.getLwm2mSimDevice, ({ params }) => f.device(params.deviceId));
      routes.add(simulatorLwm2mRoutes.notifyLwm2mSimDevice, ({ params, body }) => f.notify(params.deviceId, body.hex));
      routes.add(simulatorLwm2mRoutes.setLwm2mSimCoverage, ({ params, body }) => f.coverage(params.deviceId, body.on));
      routes.add(simulatorLwm2mRoutes.setLwm2mSimOtaFaults, ({ params, body }) =>
        f.setOtaFaults(params.deviceId, body),
      );
    },
    async stop() {
      await fleets?.stopAll();
      fleets = undefined;
    },
  };
}
