// The gateways capability: its tables, the service on the platform clock, its routes and live events.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Capability } from '../capability.js';
import { gatewayRoutes } from '../contract/gateways.js';
import type { DevicePorts, TcpListener } from '../device-ports.js';
import type { Logger } from '../log/logger.js';
import { loadDeviceTlsCredentials } from '../tls/tls-certificate.js';
import { DEFAULT_BIND_PORT } from './agent-lite-bind.js';
import { serveAgentLiteBind, type BindDeps } from './agent-lite-bind-server.js';
import { GatewayService, type GatewayDeps } from './gateway-service.js';
import { GatewayStore, gatewayMigrations } from './gateway-store.js';

export interface GatewaysCapability extends Capability {
  readonly service: GatewayService;
}

/** Resolved at start: the registry, status engine, device link and commands start before gateways. */
export type GatewaysCapabilityOptions = () => Omit<GatewayDeps, 'changed'> & {
  /** Agent-Lite-style bind: the registry's bind and the application that holds a device. */
  agentLite: Pick<BindDeps, 'bind' | 'appIdOf'>;
};

export const BIND_PORT_NAME = 'bind';

/** The bind port beside MQTT, on the same address: Agent Lite's 8943 unless told, a free one if that is taken. */
async function bindAgentLitePort(
  ports: DevicePorts,
  requested: number | undefined,
  host: string,
  log: Logger,
): Promise<TcpListener> {
  if (requested !== undefined) return ports.bindTcp(BIND_PORT_NAME, requested, host);
  try {
    return await ports.bindTcp(BIND_PORT_NAME, DEFAULT_BIND_PORT, host);
  } catch {
    const listener = await ports.bindTcp(BIND_PORT_NAME, 0, host);
    log.warn(`bind port ${DEFAULT_BIND_PORT} is taken; Agent-Lite-style bind listens on ${listener.port}`);
    return listener;
  }
}

export function createGatewaysCapability(options: GatewaysCapabilityOptions): GatewaysCapability {
  let service: GatewayService | undefined;
  let unfollowCommands: (() => void) | undefined;
  let bindServer: Server | undefined;
  return {
    name: 'gateways',
    migrations: gatewayMigrations,
    get service() {
      if (!service) throw new Error('the gateways capability has not started');
      return service;
    },
    async start({ db, clock, bus, logger, routes, ports, config, dataDir }) {
      const { agentLite, ...deps } = options();
      const s = new GatewayService(new GatewayStore(db), clock, logger, {
        ...deps,
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

      // Devices bind where they reach MQTT: on the device-facing address, never only the API's.
      const mqtt = ports.tcp('mqtt');
      if (mqtt) {
        const host = (mqtt.server.address() as AddressInfo | null)?.address ?? '127.0.0.1';
        const listener = await bindAgentLitePort(ports, config.bindPort, host, logger);
        let context: SecureContext | undefined;
        // The device-facing certificate: MQTTS's (the user's own pair or the self-signed one in the data folder).
        const secureContext = () => {
          if (!context) {
            const { cert, key } = loadDeviceTlsCredentials(dataDir, config);
            context = createSecureContext({ cert, key });
          }
          return context;
        };
        bindServer = serveAgentLiteBind(
          listener,
          { ...agentLite, mqttPort: () => ports.tcp('mqtt')?.port, secureContext },
          logger,
        );
      }
    },
    stop() {
      bindServer?.closeAllConnections();
      bindServer = undefined;
      unfollowCommands?.();
      service?.stop();
      service = undefined;
    },
  };
}
