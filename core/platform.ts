// The platform's lifecycle: store, bus, logs, device ports, the capabilities of core/composition.ts and the API,
// started and stopped as one.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDevicePorts, type DevicePorts } from './device-ports.js';
import { createApiServer, type ApiServer } from './api/server.js';
import { createEventBus, type EventBus } from './bus/event-bus.js';
import type { Capability, CapabilityContext } from './capability.js';
import { composeCapabilities } from './composition.js';
import { systemClock } from './clock.js';
import {
  DEFAULT_DEVICE_PORTS,
  DEFAULT_NORTHBOUND_PORT,
  parsePlatformConfig,
  type PlatformConfigInput,
} from './config.js';
import type { Clock } from './clock.js';
import { createWorkbenchLogger, type Logger, type WorkbenchLogger } from './log/logger.js';
import { createPlatformCapability } from './platform-info/platform-capability.js';
import { StartupError, type Platform, type PlatformRuntime } from './platform-types.js';
import { readSavedSettings, settingsMigrations } from './settings/settings-store.js';
import { openStore, type OpenedStore } from './store/database.js';
import { secretKeyLocation } from './devices/secret-box.js';
import { workbenchVersion } from './version.js';

export { StartupError };
export type { Platform, PlatformRuntime } from './platform-types.js';

export const DATABASE_FILE_NAME = 'workbench.db';

export interface PlatformHandle extends Platform {
  /** Available after start(): for tests and in-process tools. */
  readonly bus: EventBus;
  readonly runtime: PlatformRuntime | undefined;
}

/** A port asked for must be free; the default 8743 may be taken (another workbench), then a free port serves. */
async function bindNorthbound(ports: DevicePorts, requested: number | undefined, logger: Logger): Promise<number> {
  if (requested !== undefined) return (await ports.bindTcp('northbound', requested, '127.0.0.1')).port;
  try {
    return (await ports.bindTcp('northbound', DEFAULT_NORTHBOUND_PORT, '127.0.0.1')).port;
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    const port = (await ports.bindTcp('northbound', 0, '127.0.0.1')).port;
    logger.warn(`northbound port ${DEFAULT_NORTHBOUND_PORT} is taken; the northbound API listens on ${port}`);
    return port;
  }
}

export interface PlatformOptions extends PlatformConfigInput {
  clock?: Clock;
  /** Capabilities started after the product's own (tests, embedders). */
  extraCapabilities?: Capability[];
}

export function createPlatform({ extraCapabilities = [], ...input }: PlatformOptions): PlatformHandle {
  const config = parsePlatformConfig(input);
  const clock = config.clock ?? systemClock;
  const dataDir = resolve(config.dataDir);
  const token = config.token ?? randomBytes(24).toString('hex');
  const version = workbenchVersion();

  let log: WorkbenchLogger | undefined;
  let store: OpenedStore | undefined;
  let api: ApiServer | undefined;
  let ports: DevicePorts | undefined;
  let started: Capability[] = [];
  let runtime: PlatformRuntime | undefined;
  let stopping: Promise<void> | undefined;

  const bus = createEventBus((topic, error) => {
    log?.logger.error({ err: error, source: 'bus' }, `a ${topic} event listener failed`);
  });

  async function stopAll(): Promise<void> {
    for (const capability of [...started].reverse()) {
      try {
        await capability.stop?.();
      } catch (error) {
        log?.logger.error({ err: error }, `stopping ${capability.name} failed`);
      }
    }
    started = [];
    await api?.close();
    await ports?.closeAll();
    await store?.close();
    log?.logger.info('workbench stopped');
    await log?.close();
    api = undefined;
    ports = undefined;
    store = undefined;
    log = undefined;
    runtime = undefined;
  }

  return {
    bus,
    get runtime() {
      return runtime;
    },

    async start() {
      if (runtime) return runtime;
      try {
        mkdirSync(dataDir, { recursive: true });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StartupError('DATA_DIR_UNUSABLE', `Cannot create the data folder ${dataDir}: ${reason}`, dataDir);
      }
      try {
        log = await createWorkbenchLogger({
          dataDir,
          level: config.logLevel,
          toStdout: config.logToStdout,
          onEntry: (entry) => bus.publish('log', { at: entry.time, entry }),
        });
        const logger = log.logger;
        logger.info(`IoT Workbench ${version} starting, data folder ${dataDir}`);

        const activePorts: Record<string, number> = {};
        const databaseFile = join(dataDir, DATABASE_FILE_NAME);
        const capabilities = [...composeCapabilities(() => log?.logger).capabilities, ...extraCapabilities];

        // Every capability's migrations are known before the database opens; the platform's own come first.
        store = openStore(
          databaseFile,
          [
            { capability: 'platform', migrations: settingsMigrations },
            ...capabilities.map((c) => ({ capability: c.name, migrations: c.migrations })),
          ],
          () => new Date(clock.now()),
          { backgroundCheckpoints: { onError: (message) => logger.warn(message) } },
        );
        for (const a of store.applied) logger.info(`applied ${a.capability} migration ${a.version} "${a.name}"`);

        const saved = readSavedSettings(store.db, DEFAULT_DEVICE_PORTS);
        const active = {
          mqttPort: config.mqttPort ?? saved.mqttPort,
          coapPort: config.coapPort ?? saved.coapPort,
          deviceBindAddress: config.deviceBindAddress ?? saved.deviceBindAddress,
        };
        capabilities.unshift(
          createPlatformCapability({
            version,
            databaseFile,
            logFile: log.file,
            recentLogs: log.recent,
            activeSettings: active,
            defaultSettings: DEFAULT_DEVICE_PORTS,
            ports: () => ({ ...activePorts }),
            deviceSecretKey: secretKeyLocation(dataDir, config.deviceSecretKey),
          }),
        );

        api = await createApiServer({ token, bus, logger, version, rendererDir: config.rendererDir });
        ports = createDevicePorts(logger);
        activePorts.mqtt = (await ports.bindTcp('mqtt', active.mqttPort, active.deviceBindAddress)).port;
        activePorts.coap = (await ports.bindUdp('coap', active.coapPort, active.deviceBindAddress)).port;
        if (config.mqttsPort !== undefined)
          activePorts.mqtts = (await ports.bindTcp('mqtts', config.mqttsPort, active.deviceBindAddress)).port;
        // Application servers only: the northbound API never leaves the machine.
        activePorts.northbound = await bindNorthbound(ports, config.northboundPort, logger);

        const context: CapabilityContext = {
          db: store.db,
          bus,
          clock,
          logger,
          routes: api.routes,
          ports,
          config,
          dataDir,
        };
        for (const capability of capabilities) {
          await capability.start({ ...context, logger: logger.child({ source: capability.name }) });
          started.push(capability);
        }
        for (const l of ports.list()) activePorts[l.name] = l.port;

        const apiPort = await api.listen(config.apiPort);
        activePorts.api = apiPort;
        runtime = { apiUrl: `http://127.0.0.1:${apiPort}`, token, dataDir, ports: { ...activePorts } };
        logger.info(`API listening on ${runtime.apiUrl}`);
        return runtime;
      } catch (error) {
        log?.logger.error({ err: error }, 'start failed');
        await stopAll();
        throw error;
      }
    },

    stop() {
      stopping ??= stopAll().finally(() => (stopping = undefined));
      return stopping;
    },
  };
}
