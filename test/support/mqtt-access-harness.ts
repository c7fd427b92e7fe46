// The MQTT access capability alone on a real 127.0.0.1 port, with a small in-memory registry and recording fakes
// for the uplink pipeline, the status engine and the device link: for tests of its ports (downlink, reports).
import Database from 'better-sqlite3';
import pino from 'pino';
import { createMqttAccessCapability, type MqttAccessCapability } from '../../core/access/mqtt/index.js';
import { createDevicePorts } from '../../core/device-ports.js';
import type { RouteRegistrar } from '../../core/api/contract-routes.js';
import { createEventBus } from '../../core/bus/event-bus.js';
import { systemClock } from '../../core/clock.js';
import { platformConfigSchema } from '../../core/config.js';
import type { ServiceReport } from '../../core/contract/codecs.js';
import type { Device } from '../../core/contract/devices.js';
import type { UplinkPipeline } from '../../core/data/uplink-pipeline.js';
import type {
  DeviceEvent,
  DeviceMessage,
  DeviceRequest,
  DeviceResponse,
  PresenceEvent,
} from '../../core/device-link/index.js';
import type { RegistryChange } from '../../core/devices/device-registry.js';
import { runMigrations } from '../../core/store/migrations.js';

export interface HarnessDevice {
  deviceId: string;
  secret: string;
}

export interface MqttAccessHarness {
  access: MqttAccessCapability;
  port: number;
  presence: PresenceEvent[];
  responses: DeviceResponse[];
  messages: DeviceMessage[];
  /** Device requests the platform answers (shadow get). */
  requests: DeviceRequest[];
  events: DeviceEvent[];
  reports: { deviceId: string; services: ServiceReport[] }[];
  status: { deviceId: string; change: 'connected' | 'disconnected' | 'reported' }[];
  /** Registers a device of product `p1` with this nodeId; returns its id and secret. */
  register(nodeId: string): HarnessDevice;
  stop(): Promise<void>;
}

export async function startMqttAccess(): Promise<MqttAccessHarness> {
  const logger = pino({ level: 'silent' });
  const devices = new Map<string, { device: Device; secret: string }>();
  const registryListeners = new Set<(change: RegistryChange) => void>();
  const presence: PresenceEvent[] = [];
  const responses: DeviceResponse[] = [];
  const messages: DeviceMessage[] = [];
  const requests: DeviceRequest[] = [];
  const events: DeviceEvent[] = [];
  const reports: MqttAccessHarness['reports'] = [];
  const status: MqttAccessHarness['status'] = [];
  const uplink: UplinkPipeline = {
    report: (device, _source, services) => {
      reports.push({ deviceId: device.deviceId, services });
      return Promise.resolve();
    },
    decode: () => Promise.resolve(undefined),
    refuse: () => undefined,
  };
  const find = (deviceId: string) => devices.get(deviceId)?.device;
  const access = createMqttAccessCapability({
    devices: () => ({
      get: find,
      require: (deviceId) => {
        const device = find(deviceId);
        if (!device) throw new Error(`no device ${deviceId}`);
        return device;
      },
      secret: (deviceId) => devices.get(deviceId)?.secret,
      findByNodeId: (nodeId) => [...devices.values()].map((d) => d.device).filter((d) => d.nodeId === nodeId),
      onChange: (listener) => {
        registryListeners.add(listener);
        return () => void registryListeners.delete(listener);
      },
    }),
    status: () => ({
      connected: (deviceId) => void status.push({ deviceId, change: 'connected' }),
      disconnected: (deviceId) => void status.push({ deviceId, change: 'disconnected' }),
      reported: (deviceId) => void status.push({ deviceId, change: 'reported' }),
    }),
    uplink,
    link: {
      presence: (e) => void presence.push(e),
      response: (r) => void responses.push(r),
      message: (m) => void messages.push(m),
      request: (r) => void requests.push(r),
      event: (e) => void events.push(e),
    },
    productModel: () => undefined,
  });

  const db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: access.name, migrations: access.migrations }], () => new Date());
  const ports = createDevicePorts(logger);
  const listener = await ports.bindTcp('mqtt', 0, '127.0.0.1');
  const routes: RouteRegistrar = { add: () => undefined, routes: () => [] };
  await access.start({
    db,
    bus: createEventBus(() => undefined),
    clock: systemClock,
    logger,
    routes,
    ports,
    config: platformConfigSchema.parse({ dataDir: '/nonexistent' }),
    dataDir: '/nonexistent',
  });

  return {
    access,
    port: listener.port,
    presence,
    responses,
    messages,
    requests,
    events,
    reports,
    status,
    register(nodeId) {
      const now = new Date().toISOString();
      const device: Device = {
        deviceId: `p1_${nodeId}`,
        productId: 'p1',
        nodeId,
        protocolType: 'MQTT',
        status: 'inactive',
        activated: true,
        createdAt: now,
        updatedAt: now,
      };
      const secret = `secret-of-${nodeId}`;
      devices.set(device.deviceId, { device, secret });
      return { deviceId: device.deviceId, secret };
    },
    async stop() {
      await access.stop?.();
      await ports.closeAll();
      db.close();
    },
  };
}
