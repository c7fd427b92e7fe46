// The northbound compatibility API (§1.1–1.8) on its own 127.0.0.1 listener: application servers written for the
// platform log in, register, edit, query and delete devices, read data history, send commands and manage rules
// (§1.14), unchanged. Each application sees its own devices and rules; `?appId=` acts on another application's with
// its grant.
import type { FastifyInstance } from 'fastify';
import type { Capability } from '../capability.js';
import { appRoutes, type NorthboundEndpoint } from '../contract/apps.js';
import { registerAuthRoutes } from './northbound-auth-routes.js';
import { registerBatchTaskRoutes } from './northbound-batch-task-routes.js';
import { registerCommandRoutes } from './northbound-command-routes.js';
import { createNorthboundContext, type NorthboundDeps } from './northbound-context.js';
import { registerDeviceManagementRoutes } from './northbound-device-management-routes.js';
import { registerDeviceQueryRoutes } from './northbound-device-query-routes.js';
import { registerGroupRoutes } from './northbound-group-routes.js';
import { registerRuleRoutes } from './northbound-rule-routes.js';
import { createNorthboundServer, serveNorthbound } from './northbound-server.js';
import { northboundTlsServer } from './northbound-tls.js';

export type { NorthboundDeps, NorthboundProducts } from './northbound-context.js';
export type { NorthboundRules } from './northbound-rule-routes.js';

export const NORTHBOUND_PORT_NAME = 'northbound';

export function createNorthboundCapability(deps: NorthboundDeps): Capability {
  let app: FastifyInstance | undefined;

  return {
    name: 'northbound',
    migrations: [],

    async start({ ports, logger, routes, config, dataDir, clock }) {
      let endpoint: NorthboundEndpoint = { enabled: false, tls: false };
      routes.add(appRoutes.northboundEndpoint, () => endpoint);
      const listener = ports.tcp(NORTHBOUND_PORT_NAME);
      if (!listener) {
        logger.warn('no northbound port is bound: the northbound API is off');
        return;
      }
      const tls = config.northboundTls ? northboundTlsServer(config, dataDir, logger) : undefined;
      const server = createNorthboundServer(logger);
      app = server;

      const context = createNorthboundContext(server, deps);
      registerAuthRoutes(context);
      registerDeviceManagementRoutes(context);
      registerDeviceQueryRoutes(context);
      registerCommandRoutes(context, deps.commands);
      registerBatchTaskRoutes(context, deps.commandBatches);
      registerGroupRoutes(context);
      if (deps.rules) registerRuleRoutes(context, deps.rules, () => clock.now());
      for (const section of deps.sections ?? []) section(context);

      endpoint = await serveNorthbound(server, listener, tls, logger);
    },

    async stop() {
      const server = app;
      app = undefined;
      await server?.close();
    },
  };
}
