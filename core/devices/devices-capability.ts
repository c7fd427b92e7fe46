// The devices capability: registry table, secrets key, status engine, batch tasks and their routes.
import type { Capability } from '../capability.js';
import { deviceRoutes } from '../contract/devices.js';
import { tagRoutes } from '../contract/groups.js';
import { BatchRegistrations } from './batch-registration.js';
import { csvLine } from './csv.js';
import {
  DeviceRegistry,
  deviceMigrations,
  gatewayMigration,
  nodeTypeMigration,
  bindMigration,
  type ProductDirectory,
} from './device-registry.js';
import { DeviceStatusEngine } from './device-status.js';
import { DeviceTags, groupsAndTagsMigration } from './device-tags.js';
import { createSecretBox, describeSecretKeyLocation, openSecretKey, type SecretBox } from './secret-box.js';
import { DeviceStatusHistory, statusHistoryMigration } from './status-history.js';

export interface DevicesCapability extends Capability {
  /** Available once started. */
  readonly registry: DeviceRegistry;
  readonly status: DeviceStatusEngine;
  readonly tags: DeviceTags;
  /** The sealing key's box once started (products seal their secrets with it too); undefined before. */
  readonly secretBox: SecretBox | undefined;
}

export interface DevicesCapabilityOptions {
  /** Resolved lazily: the products capability starts first. */
  products: () => ProductDirectory;
  /** A group and (with `descendants`) its descendants' ids, for the group filter of device lists. */
  groupScope: (groupId: string, descendants: boolean) => readonly string[];
}

/** Every migration of the devices tables, in order: tests that build a registry on their own use this too. */
export const devicesMigrations = [
  ...deviceMigrations,
  statusHistoryMigration,
  gatewayMigration,
  groupsAndTagsMigration,
  nodeTypeMigration,
  bindMigration,
];

export function createDevicesCapability(options: DevicesCapabilityOptions): DevicesCapability {
  let registry: DeviceRegistry | undefined;
  let status: DeviceStatusEngine | undefined;
  let tags: DeviceTags | undefined;
  let secretBox: SecretBox | undefined;
  let unfollowStatus: (() => void) | undefined;
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the devices capability has not started');
    return value;
  };

  return {
    name: 'devices',
    migrations: devicesMigrations,
    get registry() {
      return running(registry);
    },
    get status() {
      return running(status);
    },
    get tags() {
      return running(tags);
    },
    get secretBox() {
      return secretBox;
    },

    start({ db, clock, bus, routes, dataDir, config, logger }) {
      // One sealed secret to prove the key: a device's, else a product's (sealed with the same key, see
      // core/products/product-secrets.ts for its associated data).
      const device = db.prepare('SELECT id, secret_sealed FROM devices LIMIT 1').get() as
        { id: string; secret_sealed: Buffer } | undefined;
      const product = device
        ? undefined
        : (db.prepare('SELECT id, secret_sealed FROM products WHERE secret_sealed IS NOT NULL LIMIT 1').get() as
            { id: string; secret_sealed: Buffer } | undefined);
      const sample = device
        ? { sealed: device.secret_sealed, aad: device.id }
        : product && { sealed: product.secret_sealed, aad: `product:${product.id}` };
      const secretKey = openSecretKey(dataDir, config.deviceSecretKey, sample);
      const whereKey = describeSecretKeyLocation(secretKey.location);
      logger[whereKey.level](whereKey.message);
      const box = createSecretBox(secretKey.key);
      secretBox = box;
      const devices = new DeviceRegistry(db, clock, box, {
        product: (id) => options.products().product(id),
      });
      const statusHistory = new DeviceStatusHistory(db);
      unfollowStatus = statusHistory.follow(bus);
      const engine = new DeviceStatusEngine(devices, clock, bus);
      const deviceTags = new DeviceTags(db, clock, devices);
      registry = devices;
      status = engine;
      tags = deviceTags;
      devices.onChange((change) => {
        if (change.kind === 'deleted') engine.forget(change.deviceId);
        if (change.kind === 'registered' || change.kind === 'deleted' || change.kind === 'updated')
          bus.publish('device', { at: clock.now(), deviceId: change.deviceId, kind: change.kind });
      });
      engine.start();
      const batches = new BatchRegistrations(devices, bus, clock, () => engine.scheduleExpiry());

      routes.add(deviceRoutes.registerDevice, ({ body }) => {
        const registered = devices.register(body);
        if (registered.device.activationDeadline) engine.scheduleExpiry();
        return registered;
      });
      routes.add(deviceRoutes.listDevices, ({ query }) => {
        const { groupId, descendants, ...filter } = query;
        const page = devices.list({
          ...filter,
          ...(groupId ? { groupIds: options.groupScope(groupId, descendants) } : {}),
        });
        const tagIds = deviceTags.tagIdsOf(page.items.map((d) => d.deviceId));
        return { ...page, items: page.items.map((d) => ({ ...d, tagIds: tagIds.get(d.deviceId) ?? [] })) };
      });
      routes.add(deviceRoutes.deviceCounts, ({ query }) => devices.counts(query.productId));
      routes.add(deviceRoutes.getDevice, ({ params }) => {
        const device = devices.require(params.id);
        return { ...device, tagIds: deviceTags.tagIdsOf([device.deviceId]).get(device.deviceId) ?? [] };
      });
      routes.add(tagRoutes.listTags, () => ({ tags: deviceTags.list() }));
      routes.add(tagRoutes.createTag, ({ body }) => deviceTags.create(body.key, body.value));
      routes.add(tagRoutes.deleteTag, ({ params }) => ({
        deleted: true as const,
        detached: deviceTags.delete(params.tagId),
      }));
      routes.add(tagRoutes.attachTag, ({ params, body }) => ({
        tagId: params.tagId,
        attached: deviceTags.attach(params.tagId, body.deviceIds),
      }));
      routes.add(tagRoutes.detachTag, ({ params, body }) => ({
        tagId: params.tagId,
        detached: deviceTags.detach(params.tagId, body.deviceIds),
      }));
      routes.add(deviceRoutes.updateDevice, ({ params, body }) => devices.update(params.id, body));
      routes.add(deviceRoutes.deleteDevice, ({ params, query }) => {
        devices.delete(params.id, { cascade: query.cascade !== 'false' });
        return { deleted: true as const };
      });
      routes.add(deviceRoutes.resetDeviceSecret, ({ params, body }) => ({
        deviceId: params.id,
        secret: devices.resetSecret(params.id, body.secret),
      }));
      routes.add(deviceRoutes.exportDeviceSecrets, ({ query }) => {
        let text = csvLine(['deviceId', 'nodeId', 'secret']);
        for (const d of devices.secrets(query.productId)) text += csvLine([d.deviceId, d.nodeId, d.secret]);
        return {
          contentType: 'text/csv; charset=utf-8',
          fileName: `devices-${query.productId ?? 'all'}.csv`,
          bytes: Buffer.from(text, 'utf8'),
        };
      });
      routes.add(deviceRoutes.startBatchRegistration, ({ body }) => batches.start(body.productId, body.csv));
      routes.add(deviceRoutes.getBatchRegistration, ({ params, query }) => batches.get(params.taskId, query.rows));
      routes.add(deviceRoutes.deviceStatusHistory, ({ params, query }) => {
        devices.require(params.id);
        return statusHistory.list(params.id, query.limit, query.cursor);
      });
    },

    stop() {
      status?.stop();
      unfollowStatus?.();
    },
  };
}
