// The shadow capability: its tables, the service on the platform clock, its workbench routes, its northbound section
// and `shadow` events. Reports reach it from the data capability; deliveries go through core/commands.
import type { Capability } from '../capability.js';
import { shadowRoutes } from '../contract/shadow.js';
import type { DeviceLink } from '../device-link/index.js';
import type { NorthboundContext } from '../northbound/index.js';
import type { CommandPort } from './property-delivery.js';
import { registerShadowNorthboundRoutes } from './shadow-northbound-routes.js';
import { ShadowService, type DesiredDeliveryResult, type ShadowDevices } from './shadow-service.js';
import { ShadowStore, shadowMigrations } from './shadow-store.js';

export interface ShadowCapabilityDeps {
  link: () => DeviceLink;
  commands: () => CommandPort;
  devices: () => ShadowDevices & { onDeleted(listener: (deviceId: string) => void): () => void };
  /** Stored reports, inside the transaction that stores them (the data store's onIngested). */
  reports: () => {
    onIngested(
      listener: (report: {
        deviceId: string;
        receivedAt: number;
        services: { serviceId: string; properties: Record<string, unknown> }[];
      }) => void,
    ): () => void;
  };
}

export interface ShadowCapability extends Capability {
  readonly service: ShadowService;
  /** Delivery results of desired values, for the push notifier (`deviceDesiredPropertiesModifyStatusChanged`). */
  onDeliveryResult(listener: (result: DesiredDeliveryResult) => void): () => void;
  northboundSection(context: NorthboundContext): void;
}

export function createShadowCapability(deps: ShadowCapabilityDeps): ShadowCapability {
  let running: { service: ShadowService; stop: () => void } | undefined;
  const listeners = new Set<(result: DesiredDeliveryResult) => void>();
  const started = () => {
    if (!running) throw new Error('the shadow capability has not started');
    return running;
  };
  return {
    name: 'shadow',
    migrations: shadowMigrations,
    get service() {
      return started().service;
    },
    onDeliveryResult(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    northboundSection(context) {
      registerShadowNorthboundRoutes(() => started().service, context);
    },

    start({ db, clock, bus, logger, routes }) {
      const devices = deps.devices();
      const service = new ShadowService({
        store: new ShadowStore(db),
        clock,
        link: deps.link(),
        commands: deps.commands,
        devices,
        changed: (deviceId, kind) => bus.publish('shadow', { at: clock.now(), deviceId, kind }),
        deliveryResult: (result) => {
          for (const l of [...listeners]) {
            try {
              l(result);
            } catch (error) {
              logger.error({ err: error }, 'a shadow delivery listener failed');
            }
          }
        },
        log: (message) => logger.info(message),
      });
      const unsubscribe = [
        devices.onDeleted((deviceId) => service.forgetDevice(deviceId)),
        deps.reports().onIngested((report) => service.reported(report)),
        bus.subscribe('command', (event) => service.commandChanged(event.commandId)),
      ];
      service.start();
      running = {
        service,
        stop: () => {
          for (const u of unsubscribe) u();
          service.stop();
        },
      };

      routes.add(shadowRoutes.getShadow, ({ params }) => service.view(params.id));
      routes.add(shadowRoutes.setDesired, ({ params, body }) => service.setDesired(params.id, body, 'ui'));
      routes.add(shadowRoutes.listDesiredHistory, ({ params, query }) => ({
        items: service.history(params.id, query.limit),
      }));
    },

    stop() {
      running?.stop();
      running = undefined;
    },
  };
}
