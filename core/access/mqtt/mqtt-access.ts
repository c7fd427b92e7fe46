// MQTT device access: aedes on the platform's MQTT ports. A frame goes socket → device-sockets.ts (tap) → login.ts
// (CONNECT) → acl.ts (SUBSCRIBE, PUBLISH) → uplink.ts → the uplink pipeline; downlinks go out through downlink.ts.
import { Aedes } from 'aedes';
import type { Capability } from '../../capability.js';
import type { MqttDownlink } from '../../device-link/index.js';
import type { MqttAccessContext, MqttAccessDeps } from './access-context.js';
import { installAcl } from './acl.js';
import { serveDeviceSockets } from './device-sockets.js';
import { createMqttDownlink } from './downlink.js';
import { DynamicSecretLogins } from './dynamic-secret.js';
import { installLogin } from './login.js';
import { RefusalLog, mqttAccessMigrations } from './refusal-log.js';
import { addMqttAccessRoutes } from './routes.js';
import { followSessions } from './session-lifecycle.js';
import { SessionTable } from './session-table.js';
import { SubDeviceRouting } from './sub-device-routing.js';
import { createUplinkRouter } from './uplink.js';

export type { MqttAccessDeps } from './access-context.js';

export interface MqttAccessCapability extends Capability {
  /** The MQTT half of the device link: publishes to connected devices and tells when they acknowledged. */
  readonly downlink: MqttDownlink;
}

export function createMqttAccessCapability(deps: MqttAccessDeps): MqttAccessCapability {
  const sessions = new SessionTable();
  const routing = new SubDeviceRouting();
  const downlink = createMqttDownlink(sessions, {
    gatewayOf: (deviceId) => deps.devices().get(deviceId)?.gatewayId,
    routing,
  });
  let running: { broker: Aedes; dynamic: DynamicSecretLogins; unfollow: () => void } | undefined;

  return {
    name: 'mqtt-access',
    migrations: mqttAccessMigrations,
    downlink,

    async start({ db, clock, bus, logger, ports, routes, config, dataDir }) {
      const refusals = new RefusalLog(db, clock);
      const ctx: MqttAccessContext = {
        deps,
        clock,
        log: logger,
        bus,
        sessions,
        refuse: (r) => {
          refusals.record(r);
          logger.info(`mqtt ${r.kind} refused for ${r.clientId || '?'} from ${r.peer}: ${r.reason}`);
        },
        presence: (deviceId, kind) => deps.link.presence({ at: clock.now(), deviceId, protocol: 'mqtt', kind }),
      };
      addMqttAccessRoutes(routes, ctx, { downlink, refusals });

      const broker = await Aedes.createBroker({ maxClientsIdLength: 256, connectTimeout: 30_000 });
      const dynamic = new DynamicSecretLogins({
        broker,
        devices: deps.devices,
        productSecrets: deps.productSecrets,
        clock,
        log: logger,
        refuse: ctx.refuse,
      });
      installLogin(broker, ctx, dynamic);
      installAcl(broker, ctx, dynamic, createUplinkRouter(ctx, downlink, routing));
      const unfollow = followSessions(broker, ctx);
      serveDeviceSockets(broker, ctx, downlink, { ports, config, dataDir });
      running = { broker, dynamic, unfollow };
    },

    async stop() {
      const stopping = running;
      running = undefined;
      if (!stopping) return;
      stopping.unfollow();
      stopping.dynamic.stop();
      await new Promise<void>((resolve) => stopping.broker.close(() => resolve()));
    },
  };
}
