// The configuration update capability: its table, the service on the platform clock, its routes and `shadow` events
// (kind `config`). It reaches devices only through the device link and core/commands.
import type { Capability } from '../capability.js';
import { deviceConfigRoutes } from '../contract/device-config.js';
import type { DeviceLink } from '../device-link/index.js';
import type { CommandPort, ShadowDevices } from '../shadow/index.js';
import { ConfigService } from './config-service.js';
import { ConfigStore, configMigrations } from './config-store.js';

export interface ConfigCapabilityDeps {
  link: () => DeviceLink;
  commands: () => CommandPort;
  devices: () => ShadowDevices & { onDeleted(listener: (deviceId: string) => void): () => void };
}

export interface ConfigCapability extends Capability {
  readonly service: ConfigService;
}

export function createConfigCapability(deps: ConfigCapabilityDeps): ConfigCapability {
  let running: { service: ConfigService; stop: () => void } | undefined;
  return {
    name: 'config',
    migrations: configMigrations,
    get service() {
      if (!running) throw new Error('the config capability has not started');
      return running.service;
    },

    start({ db, clock, bus, logger, routes }) {
      const devices = deps.devices();
      const service = new ConfigService({
        store: new ConfigStore(db),
        clock,
        link: deps.link(),
        commands: deps.commands,
        devices,
        changed: (deviceId) => bus.publish('shadow', { at: clock.now(), deviceId, kind: 'config' }),
        log: (message) => logger.info(message),
      });
      const unsubscribe = [
        devices.onDeleted((deviceId) => service.forgetDevice(deviceId)),
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

      routes.add(deviceConfigRoutes.createConfigUpdate, ({ params, body }) => service.create(params.id, body));
      routes.add(deviceConfigRoutes.listConfigUpdates, ({ params }) => service.list(params.id));
      routes.add(deviceConfigRoutes.downloadLastConfig, ({ params }) => {
        const last = service.lastSuccessful(params.id);
        return {
          contentType: 'application/json; charset=utf-8',
          fileName: `${params.id}-config.json`,
          bytes: Buffer.from(`${JSON.stringify(last.values, null, 2)}\n`),
        };
      });
    },

    stop() {
      running?.stop();
      running = undefined;
    },
  };
}
