// The CoAP access capability alone on a real loopback socket, with small fakes for its neighbours (registry,
// status engine, uplink pipeline, device link) that record what it did: for unit tests of the adapter's parts.
import Database from 'better-sqlite3';
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import { createCoapAccessCapability, type CoapAccessCapability } from '../../core/access/coap/index.js';
import type { CapabilityContext } from '../../core/capability.js';
import { createEventBus } from '../../core/bus/event-bus.js';
import { createManualClock, type ManualClock } from '../../core/clock.js';
import type { DecodedMessage } from '../../core/contract/codecs.js';
import type { Device } from '../../core/contract/devices.js';
import type { ProductModel } from '../../core/contract/product-model.js';
import type { UplinkPipeline } from '../../core/data/uplink-pipeline.js';
import type { DeviceResponse, PresenceEvent } from '../../core/device-link/index.js';
import type { DeviceRegistry } from '../../core/devices/device-registry.js';
import type { DeviceStatusEngine } from '../../core/devices/device-status.js';

export interface CoapAccessHarness {
  capability: CoapAccessCapability;
  clock: ManualClock;
  port: number;
  presence: PresenceEvent[];
  responses: DeviceResponse[];
  /** Bytes the adapter handed to the uplink pipeline's decode, per device. */
  decoded: { deviceId: string; source: string; hex: string }[];
  /** Status engine calls: `reported deviceId` / `left deviceId`. */
  status: string[];
  /** What the fake codec answers for the next decodes (data by default). */
  decodeAs: (message: DecodedMessage | undefined) => void;
  stop(): Promise<void>;
}

export interface HarnessDevice {
  nodeId: string;
  productId?: string;
}

/** Starts the capability with `devices` registered (deviceId `P_<nodeId>`) and `products` as their models. */
export async function startCoapAccess(
  devices: HarnessDevice[],
  products: Record<string, Partial<ProductModel>> = {},
): Promise<CoapAccessHarness> {
  const clock = createManualClock(Date.UTC(2026, 10, 26, 12));
  const registered = devices.map(
    (d) =>
      ({
        deviceId: `${d.productId ?? 'P'}_${d.nodeId}`,
        nodeId: d.nodeId,
        productId: d.productId ?? 'P',
        protocolType: 'LWM2M',
      }) as Device,
  );
  const registry = {
    findByNodeId: (nodeId: string) => registered.filter((d) => d.nodeId === nodeId),
    get: (id: string) => registered.find((d) => d.deviceId === id),
    require: (id: string) => registered.find((d) => d.deviceId === id)!,
    onChange: () => () => {},
  } as unknown as DeviceRegistry;
  const presence: PresenceEvent[] = [];
  const responses: DeviceResponse[] = [];
  const decoded: CoapAccessHarness['decoded'] = [];
  const status: string[] = [];
  let next: DecodedMessage | undefined = { kind: 'data', services: [] };
  const uplink: UplinkPipeline = {
    decode: (device, source, bytes) => {
      decoded.push({ deviceId: device.deviceId, source, hex: Buffer.from(bytes).toString('hex') });
      return Promise.resolve(next);
    },
    report: () => Promise.resolve(),
    refuse: () => {},
  };
  const statusEngine = {
    reported: (id: string) => status.push(`reported ${id}`),
    left: (id: string) => status.push(`left ${id}`),
  } as unknown as DeviceStatusEngine;
  const capability = createCoapAccessCapability({
    devices: () => registry,
    status: () => statusEngine,
    uplink,
    link: {
      presence: (e) => presence.push(e),
      response: (r) => responses.push(r),
      message: () => undefined,
      event: () => undefined,
    },
    productModel: (id) => products[id] as ProductModel | undefined,
  });
  const db = new Database(':memory:');
  for (const m of capability.migrations) db.exec(m.sql);
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const port = socket.address().port;
  const context = {
    db,
    bus: createEventBus(() => {}),
    clock,
    logger: pino({ level: 'silent' }),
    routes: { add: () => {} },
    ports: { udp: (name: string) => (name === 'coap' ? { name, socket, port, serve: () => {} } : undefined) },
    config: {},
    dataDir: '',
  } as unknown as CapabilityContext;
  await capability.start(context);
  return {
    capability,
    clock,
    port,
    presence,
    responses,
    decoded,
    status,
    decodeAs: (message) => (next = message),
    async stop() {
      await capability.stop?.();
      socket.close();
      db.close();
    },
  };
}
