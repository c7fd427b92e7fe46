// The platform's own routes: health, info (ports, host addresses, uptime), settings and recent logs.
import { networkInterfaces, platform as osPlatform, release } from 'node:os';
import { platformRoutes, type PlatformInfo, type SecretKeyLocation, type Settings } from '../contract/platform.js';
import type { Capability } from '../capability.js';
import type { RecentLogs } from '../log/logger.js';
import { readSavedSettings, saveSettings, settingsMigrations } from '../settings/settings-store.js';

export interface PlatformCapabilityOptions {
  version: string;
  databaseFile: string;
  logFile: string;
  recentLogs: RecentLogs;
  activeSettings: Settings;
  defaultSettings: Settings;
  /** Ports by name, including the API's (known once it listens). */
  ports: () => Record<string, number>;
  deviceSecretKey?: SecretKeyLocation;
}

export function hostAddresses(): PlatformInfo['hostAddresses'] {
  const result: PlatformInfo['hostAddresses'] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const a of addresses ?? []) {
      result.push({ interface: name, address: a.address, family: a.family, internal: a.internal });
    }
  }
  return result;
}

export function createPlatformCapability(options: PlatformCapabilityOptions): Capability {
  return {
    name: 'platform',
    migrations: settingsMigrations,
    start({ routes, clock, db, bus, ports, dataDir }) {
      const startedAt = clock.now();
      const onlineDevices = new Set<string>();
      bus.subscribe('device', (e) => {
        if (e.kind === 'online') onlineDevices.add(e.deviceId);
        else if (e.kind !== 'registered' && e.kind !== 'updated') onlineDevices.delete(e.deviceId);
      });

      routes.add(platformRoutes.health, () => ({ status: 'ok' as const, uptimeMs: clock.now() - startedAt }));
      routes.add(platformRoutes.info, () => ({
        name: 'IoT Workbench' as const,
        version: options.version,
        dataDir,
        databaseFile: options.databaseFile,
        logFile: options.logFile,
        startedAt,
        uptimeMs: clock.now() - startedAt,
        ports: options.ports(),
        listeners: ports.list(),
        hostAddresses: hostAddresses(),
        connectedDevices: onlineDevices.size,
        node: process.version,
        os: `${osPlatform()} ${release()}`,
        ...(options.deviceSecretKey ? { deviceSecretKey: options.deviceSecretKey } : {}),
      }));
      routes.add(platformRoutes.getSettings, () => ({
        saved: readSavedSettings(db, options.defaultSettings),
        active: options.activeSettings,
      }));
      routes.add(platformRoutes.putSettings, ({ body }) => {
        saveSettings(db, body, new Date(clock.now()));
        const saved = readSavedSettings(db, options.defaultSettings);
        const active = options.activeSettings;
        const restartRequired =
          saved.mqttPort !== active.mqttPort ||
          saved.coapPort !== active.coapPort ||
          saved.deviceBindAddress !== active.deviceBindAddress;
        return { saved, active, restartRequired };
      });
      routes.add(platformRoutes.logs, ({ query }) => ({
        entries: options.recentLogs.latest(query.limit, query.minLevel),
      }));
    },
  };
}
