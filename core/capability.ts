// What a platform capability (products, devices, traffic, …) gets from the composition root.
import type { Database } from 'better-sqlite3';
import type { DevicePorts } from './device-ports.js';
import type { RouteRegistrar } from './api/contract-routes.js';
import type { EventBus } from './bus/event-bus.js';
import type { Clock } from './clock.js';
import type { PlatformConfig } from './config.js';
import type { Logger } from './log/logger.js';
import type { Migration } from './store/migrations.js';

export interface CapabilityContext {
  db: Database;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  routes: RouteRegistrar;
  ports: DevicePorts;
  config: PlatformConfig;
  dataDir: string;
}

export interface Capability {
  /** Owner of its tables and migrations, e.g. `products`. */
  name: string;
  migrations: readonly Migration[];
  /** Registers routes and attaches to ports; runs before the API starts listening. */
  start(context: CapabilityContext): Promise<void> | void;
  stop?(): Promise<void> | void;
}
