// Wires the device registry, data store and MQTT device access to products and codecs (called by productCapabilities).
import { createCoapAccessCapability } from './access/coap/index.js';
import { createMqttAccessCapability } from './access/mqtt/index.js';
import { createAppsCapability } from './apps/index.js';
import type { Capability } from './capability.js';
import type { ProductModel, ProtocolType } from './contract/product-model.js';
import type { CodecsCapability } from './codecs/index.js';
import { createDataCapability, type DataCapability } from './data/index.js';
import { createDeviceLinkHub } from './device-link/index.js';
import { createDevicesCapability, type DevicesCapability } from './devices/index.js';
import { createDiagnosisCapability, lwm2mDiagnosisLink } from './diagnosis/index.js';
import { createLwm2mSimulatorCapability } from './simulator/lwm2m/index.js';
import { parseLayoutSource } from './codecs/codec-service.js';
import { createNorthboundCapability } from './northbound/index.js';
import type { ProductsCapability } from './products/index.js';
import { createMqttSimulatorCapability } from './simulator/mqtt/index.js';
import type { CodecResolver } from './traffic/codec-layer.js';
import type { TrafficCapability } from './traffic/traffic-capability.js';

export function deviceCapabilities({
  products,
  codecs,
  traffic,
}: {
  products: ProductsCapability;
  codecs?: Pick<CodecsCapability, 'decodeUplink' | 'service'>;
  /** Gets the codec layer of captured frames (each frame's device, its product and codec) and the PCP check. */
  traffic?: Pick<TrafficCapability, 'capture'>;
}): Capability[] {
  // products.service.get parses, checks and counts devices on every call: too slow per login and per batch row.
  // A product's model is frozen while devices use it, and can only change after its last device is deleted,
  // so an entry dropped on every device deletion cannot go stale.
  const productCache = new Map<string, { id: string; protocolType: ProtocolType; model: ProductModel }>();
  let watching = false;
  const product = (id: string) => {
    if (!watching) {
      devices.registry.onChange((c) => c.kind === 'deleted' && productCache.clear());
      watching = true;
    }
    let entry = productCache.get(id);
    if (!entry) {
      const p = products.service.get(id);
      if (!p) return undefined;
      entry = { id: p.id, protocolType: p.model.protocolType, model: p.model };
      if (productCache.size > 1000) productCache.clear();
      productCache.set(id, entry);
    }
    return entry;
  };
  const deviceLink = createDeviceLinkHub(() => undefined);
  const devices: DevicesCapability = createDevicesCapability({ products: () => ({ product }) });
  products.setDeviceUsageProvider((productId) => devices.registry.countByProduct(productId));
  products.setSecretBoxProvider(() => devices.secretBox);
  const data: DataCapability = createDataCapability({
    requireDevice: (id) => void devices.registry.require(id),
    productModel: (id) => product(id)?.model,
    ...(codecs ? { decodeUplink: (productId, bytes, topic) => codecs.decodeUplink(productId, bytes, topic) } : {}),
  });
  const mqtt = createMqttAccessCapability({
    devices: () => devices.registry,
    status: () => devices.status,
    uplink: data.uplink,
    link: deviceLink.reports,
    productModel: (id) => product(id)?.model,
    productSecrets: {
      secret: (productId) => products.service.secrets.secret(productId),
      onReset: (listener) => products.service.secrets.onReset(listener),
    },
  });
  const coap = createCoapAccessCapability({
    devices: () => devices.registry,
    status: () => devices.status,
    uplink: data.uplink,
    link: deviceLink.reports,
    productModel: (id) => product(id)?.model,
  });
  const diagnosis = createDiagnosisCapability({
    link: () => lwm2mDiagnosisLink(() => coap.server),
    devices: () => ({
      productOf: (deviceId) => {
        const device = devices.registry.get(deviceId);
        const model = device && product(device.productId)?.model;
        return device && model ? { productId: device.productId, model } : undefined;
      },
      onDeleted: (listener) => devices.registry.onChange((c) => c.kind === 'deleted' && listener(c.deviceId)),
    }),
  });
  const lwm2mSimulator = createLwm2mSimulatorCapability(() => ({
    product: (id) => product(id),
    layout: (id) => {
      try {
        const active = codecs?.service.getCodec(id).active;
        const parsed = active?.kind === 'layout' ? parseLayoutSource(active.source) : undefined;
        return parsed?.ok ? parsed.layout : undefined;
      } catch {
        return undefined;
      }
    },
    ensureDevice: (productId, nodeId) => {
      const deviceId = `${productId}_${nodeId}`;
      if (!devices.registry.get(deviceId)) devices.registry.register({ productId, nodeId });
      return deviceId;
    },
  }));
  const nbIot = [diagnosis, lwm2mSimulator];
  const apps = createAppsCapability({
    onHistoryPolicy: (storesHistory) => data.store.setHistoryPolicy(storesHistory),
    countAllDevices: () => devices.registry.counts().all,
  });
  const northbound = createNorthboundCapability({
    apps: () => apps.registry,
    devices: () => devices.registry,
    status: () => devices.status,
    data: () => data.store,
    products: {
      get: (id) => product(id),
      findByIdentity: (identity) => products.service.findByIdentity(identity),
      idsOfDeviceType: (deviceType) =>
        products.service
          .list({ q: deviceType, limit: 500 })
          .items.filter((p) => p.deviceType === deviceType)
          .map((p) => p.id),
    },
  });
  const mqttSimulator = createMqttSimulatorCapability({
    devices: () => devices.registry,
    productModel: (id) => product(id)?.model,
  });
  if (!codecs || !traffic) return [devices, data, mqtt, coap, ...nbIot, apps, northbound, mqttSimulator];
  const resolver: CodecResolver = {
    target: (deviceId) => {
      const device = devices.registry.get(deviceId);
      const version = device && codecs.service.activeVersion(device.productId);
      if (!device || version === undefined) return undefined;
      const model = product(device.productId)?.model;
      return { productId: device.productId, version, ...(model ? { model } : {}) };
    },
    decode: (productId, bytes, topic) => codecs.decodeUplink(productId, bytes, topic),
  };
  const trafficCodecLayer: Capability = {
    name: 'traffic-codec-layer',
    migrations: [],
    start: () => {
      traffic.capture?.setCodecResolver(resolver);
      traffic.capture?.setPcpSupport((deviceId) => (deviceId === undefined ? undefined : coap.pcpSupport(deviceId)));
    },
    stop: () => {
      traffic.capture?.setCodecResolver(undefined);
      traffic.capture?.setPcpSupport(undefined);
    },
  };
  return [devices, data, mqtt, coap, ...nbIot, apps, northbound, mqttSimulator, trafficCodecLayer];
}
