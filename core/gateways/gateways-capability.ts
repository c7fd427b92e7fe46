// The gateways capability: its tables, the service on the platform clock, its routes and live events.
import type { Capability } from '../capability.js';
import { gatewayRoutes } from '../contract/gateways.js';
import { GatewayService, type GatewayDeps } from './gateway-service.js';
import { GatewayStore, gatewayMigrations } from './gateway-store.js';

export interface GatewaysCapability extends Capability {
  readonly service: GatewayService;
}

/** Resolved at start: the registry, status engine, device link and commands start before gateways. */
export type GatewaysCapabilityOptions = () => Omit<GatewayDeps, 'changed'>;

export function createGatewaysCapability(options: GatewaysCapabilityOptions): GatewaysCapability {
  let service: GatewayService | undefined;
  let unfollowCommands: (() => void) | undefined;
  return {
    name: 'gateways',
    migrations: gatewayMigrations,
    get service() {
      if (!service) throw new Error('the gateways capability has not started');
      return service;
    },
    start({ db, clock, bus, logger, routes }) {
      const s = new GatewayService(new GatewayStore(db), clock, logger, {
        ...options(),
        changed: (gatewayId, what) =>
          bus.publish('task', { at: clock.now(), taskId: gatewayId, kind: `gateway.${what}`, status: 'changed' }),
      });
      service = s;
      s.start();
      // Every new command: DISCOVERY opens the pairing window whichever route stored it.
      unfollowCommands = bus.subscribe('command', (e) => {
        if (e.status === 'PENDING') s.commandCreated(e.commandId, e.deviceId);
      });
      routes.add(gatewayRoutes.getGateway, ({ params }) => s.view(params.id));
      routes.add(gatewayRoutes.startDiscovery, ({ params, body }) => s.startDiscovery(params.id, body.paras));
      routes.add(gatewayRoutes.syncGateway, ({ params }) => s.sync(params.id));
      routes.add(gatewayRoutes.getSubDeviceState, ({ params }) => s.subDeviceState(params.id));
    },
    stop() {
      unfollowCommands?.();
      service?.stop();
      service = undefined;
    },
  };
}
