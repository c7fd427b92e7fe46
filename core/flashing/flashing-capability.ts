// The flashing capability: its table, the flash routes, and the port take-over from the serial workbench.
import type { Capability } from '../capability.js';
import { flashRoutes } from '../contract/flashing.js';
import type { PortRegistry } from '../serial/index.js';
import { openSerialLine, type OpenSerialLine } from '../serial/index.js';
import { FlashService, type FlashPackageSource } from './flash-service.js';
import { FlashStore, flashMigrations } from './flash-store.js';

export interface FlashingCapabilityOptions {
  /** The serial workbench's registry: the flasher takes ports over from terminals there. */
  registry: PortRegistry;
  openLine?: OpenSerialLine;
  /** The package library: images from it are verified before they are written. */
  packages?: () => FlashPackageSource;
  espConnectAttempts?: number;
}

export interface FlashingCapability extends Capability {
  /** Set once started (the CLI and tests drive flashes through it). */
  service(): FlashService;
}

export function createFlashingCapability(options: FlashingCapabilityOptions): FlashingCapability {
  let service: FlashService | undefined;
  const running = new Set<Promise<unknown>>();
  return {
    name: 'flashing',
    migrations: flashMigrations,
    service() {
      if (!service) throw new Error('the flashing capability is not started');
      return service;
    },
    start({ db, bus, clock, routes, logger }) {
      const store = new FlashStore(db);
      const interrupted = store.failInterrupted(clock.now());
      if (interrupted > 0) logger.warn(`${interrupted} flash operation(s) were cut off by the last stop`);
      const flash = new FlashService({
        store,
        registry: options.registry,
        openLine: options.openLine ?? openSerialLine,
        clock,
        bus,
        ...(options.packages ? { packages: (id, maxBytes) => options.packages!()(id, maxBytes) } : {}),
        ...(options.espConnectAttempts ? { espConnectAttempts: options.espConnectAttempts } : {}),
      });
      service = flash;
      routes.add(flashRoutes.detectFlashChip, ({ body }) => flash.detect(body));
      routes.add(flashRoutes.startFlash, async ({ body }) => {
        const { operation, done } = await flash.start(body);
        const tracked = done.then((op) => {
          logger.info(`flash ${op.id} on ${op.port}: ${op.status}${op.error ? ` (${op.error.message})` : ''}`);
        });
        running.add(tracked);
        void tracked.finally(() => running.delete(tracked));
        return operation;
      });
      routes.add(flashRoutes.listFlashOperations, () => ({ operations: flash.list() }));
      routes.add(flashRoutes.getFlashOperation, ({ params }) => flash.get(params.id));
    },
    async stop() {
      await Promise.allSettled([...running]);
    },
  };
}
