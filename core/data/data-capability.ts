// The data capability: history, latest values, uplink errors, retention, and their routes.
import type { Capability } from '../capability.js';
import type { TimerHandle } from '../clock.js';
import { deviceRoutes } from '../contract/devices.js';
import { csvLine } from '../devices/index.js';
import type { ProductModel } from '../contract/product-model.js';
import type { Logger } from '../log/logger.js';
import { DataStore, dataMigrations } from './data-store.js';
import { createUplinkPipeline, type UplinkDecoder, type UplinkPipeline } from './uplink-pipeline.js';

export interface DataCapability extends Capability {
  readonly store: DataStore;
  /** The one path of every device uplink (MQTT and CoAP adapters call it). */
  readonly uplink: UplinkPipeline;
}

export interface DataCapabilityOptions {
  /** 404 for unknown devices on the data routes. */
  requireDevice: (deviceId: string) => void;
  productModel: (productId: string) => ProductModel | undefined;
  decodeUplink?: UplinkDecoder | undefined;
}

export function createDataCapability(options: DataCapabilityOptions): DataCapability {
  let store: DataStore | undefined;
  let purging: TimerHandle | undefined;
  let log: Logger | undefined;
  const requireStore = () => {
    if (!store) throw new Error('the data capability has not started');
    return store;
  };
  const uplink = createUplinkPipeline({
    data: requireStore,
    productModel: options.productModel,
    decodeUplink: options.decodeUplink,
    logger: () => log,
  });
  return {
    name: 'data',
    migrations: dataMigrations,
    get store() {
      return requireStore();
    },
    uplink,
    start({ db, clock, bus, routes, logger }) {
      log = logger;
      const data = new DataStore(db, clock, bus);
      store = data;
      purging = data.startBackgroundWork();
      bus.subscribe('device', (e) => {
        if (e.kind === 'deleted') data.deleteDevice(e.deviceId);
      });

      routes.add(deviceRoutes.latestDeviceData, ({ params }) => {
        options.requireDevice(params.id);
        return { services: data.latest(params.id) };
      });
      routes.add(deviceRoutes.deviceDataHistory, ({ params, query }) => {
        options.requireDevice(params.id);
        return data.history(params.id, query);
      });
      routes.add(deviceRoutes.exportDeviceDataHistory, ({ params, query }) => {
        options.requireDevice(params.id);
        let text = csvLine(['eventTime', 'receivedAt', 'serviceId', 'property', 'value']);
        for (const r of data.historyRows(params.id, query))
          text += csvLine([r.eventTime, r.receivedAt, r.serviceId, r.property, JSON.stringify(r.value)]);
        return {
          contentType: 'text/csv; charset=utf-8',
          fileName: `${params.id}-history.csv`,
          bytes: Buffer.from(text),
        };
      });
      routes.add(deviceRoutes.deviceUplinkErrors, ({ params, query }) => {
        options.requireDevice(params.id);
        return { items: data.errors(params.id, query.limit) };
      });
      routes.add(deviceRoutes.getDataSettings, () => ({ retentionDays: data.getRetentionDays() }));
      routes.add(deviceRoutes.updateDataSettings, ({ body }) => ({
        retentionDays: data.setRetentionDays(body.retentionDays),
      }));
    },
    stop() {
      purging?.cancel();
      store?.flush();
    },
  };
}
