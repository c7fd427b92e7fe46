// Wires the device registry, data store and MQTT device access to products and codecs (called by productCapabilities).
import { createMqttAccessCapability } from './access/mqtt/index.js';
import type { Capability } from './capability.js';
import type { ProductModel, ProtocolType } from './contract/product-model.js';
import type { CodecsCapability } from './codecs/index.js';
import { createDataCapability, type DataCapability } from './data/index.js';
import { createDevicesCapability, type DevicesCapability } from './devices/index.js';
import type { ProductsCapability } from './products/index.js';

export function deviceCapabilities({
  products,
  codecs,
}: {
  products: ProductsCapability;
  codecs?: Pick<CodecsCapability, 'decodeUplink'>;
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
  const devices: DevicesCapability = createDevicesCapability({ products: () => ({ product }) });
  products.setDeviceUsageProvider((productId) => devices.registry.countByProduct(productId));
  const data: DataCapability = createDataCapability({ requireDevice: (id) => void devices.registry.require(id) });
  const mqtt = createMqttAccessCapability({
    devices: () => devices.registry,
    status: () => devices.status,
    data: () => data.store,
    productModel: (id) => product(id)?.model,
    ...(codecs ? { decodeUplink: (productId, bytes, topic) => codecs.decodeUplink(productId, bytes, topic) } : {}),
  });
  return [devices, data, mqtt];
}
