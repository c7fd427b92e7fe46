// Fleets of simulated NB-IoT devices of one product: registered in the platform, reporting on a schedule,
// each one addressable for a notify now, a coverage loss or a look at its counters.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../clock.js';
import { DomainError } from '../../domain-error.js';
import type { CodecLayout } from '../../contract/codecs.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { SimDevice, SimFleet, SimOtaFaults, StartFleetBody } from '../../contract/simulator-lwm2m.js';
import type { ServerAddress } from './lwm2m-device-client.js';
import { faultGroups } from '../ota-fault-groups.js';
import { generatedFrame } from './uplink-frames.js';
import { VirtualNbDevice } from './virtual-nb-device.js';

/** A refused simulator request; its code's HTTP status is in core/api/error-statuses.ts. */
export class SimulatorError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'SimulatorError';
  }
}

export interface FleetDeps {
  clock: Clock;
  /** Where the platform's LwM2M server listens. */
  server(): ServerAddress;
  product(productId: string): Promise<{ model: ProductModel } | undefined> | { model: ProductModel } | undefined;
  /** The product's active layout codec, if it has one (script codecs cannot encode uplinks). */
  layout(productId: string): Promise<CodecLayout | undefined> | CodecLayout | undefined;
  /** Registers the device in the platform when missing; returns its deviceId. */
  ensureDevice(productId: string, nodeId: string): Promise<string> | string;
  onChange?(fleetId: string, deviceId?: string): void;
  rebootMs?: number;
  ackTimeoutMs?: number;
  shardWaitMs?: number;
}

interface FleetDevice {
  deviceId: string;
  index: number;
  device: VirtualNbDevice;
  seq: number;
  reportTimer?: TimerHandle;
}

interface Fleet {
  id: string;
  productId: string;
  intervalS: number;
  hex?: string;
  layout?: CodecLayout;
  startedAt: number;
  devices: FleetDevice[];
}

const isHex = (text: string) => /^([0-9a-fA-F]{2})+$/.test(text);

/** 15-digit IMEI-like nodeIds: a random 10-digit stem per fleet and a 5-digit index. */
function nodeIdsFor(count: number, first?: string): string[] {
  if (first) {
    const start = BigInt(first);
    const width = first.length;
    return Array.from({ length: count }, (_, i) => (start + BigInt(i)).toString().padStart(width, '0'));
  }
  const stem = `86${(randomBytes(4).readUInt32BE(0) % 100_000_000).toString().padStart(8, '0')}`;
  return Array.from({ length: count }, (_, i) => `${stem}${i.toString().padStart(5, '0')}`);
}

export class Lwm2mFleets {
  private readonly fleets = new Map<string, Fleet>();

  constructor(private readonly deps: FleetDeps) {}

  async start(body: StartFleetBody): Promise<SimFleet> {
    const product = await this.deps.product(body.productId);
    if (!product) throw new SimulatorError('PRODUCT_NOT_FOUND', `no product ${body.productId}`);
    const { model } = product;
    if (model.protocolType === 'MQTT') {
      throw new SimulatorError(
        'NOT_AN_LWM2M_PRODUCT',
        `product ${body.productId} uses MQTT; the LwM2M simulator needs a CoAP or LwM2M product`,
      );
    }
    if (body.hex !== undefined && !isHex(body.hex)) {
      throw new SimulatorError('BAD_HEX', 'hex must be an even number of hex digits');
    }
    const layout = await this.deps.layout(body.productId);
    if (body.intervalS > 0 && !layout && body.hex === undefined) {
      throw new SimulatorError(
        'NO_FRAME_SOURCE',
        `product ${body.productId} has no active layout codec to build frames from; give the frame as hex`,
      );
    }
    const fleet: Fleet = {
      id: randomUUID(),
      productId: body.productId,
      intervalS: body.intervalS,
      ...(body.hex ? { hex: body.hex.toUpperCase() } : {}),
      ...(layout ? { layout } : {}),
      startedAt: this.deps.clock.now(),
      devices: [],
    };
    const nodeIds = body.nodeIds ?? nodeIdsFor(body.count, body.firstNodeId);
    const faultsOf = faultGroups(body.otaFaults, nodeIds.length);
    for (const [index, nodeId] of nodeIds.entries()) {
      const deviceId = await this.deps.ensureDevice(body.productId, nodeId);
      const device = new VirtualNbDevice({
        clock: this.deps.clock,
        server: this.deps.server(),
        ...(this.deps.rebootMs !== undefined ? { rebootMs: this.deps.rebootMs } : {}),
        ...(this.deps.ackTimeoutMs !== undefined ? { ackTimeoutMs: this.deps.ackTimeoutMs } : {}),
        info: {
          nodeId,
          manufacturer: model.manufacturerName,
          model: model.model,
          deviceType: model.deviceType,
          firmwareVersion: body.firmwareVersion,
          softwareVersion: body.softwareVersion,
          lifetimeS: body.lifetimeS,
          radio: { rsrpDbm: -85 - (index % 30), sinrDb: 12 - (index % 15), cellId: 95271489 + (index % 7) },
        },
        onEvent: (event) => {
          if (event.kind !== 'notified') this.deps.onChange?.(fleet.id, deviceId);
        },
        ...(faultsOf[index] ? { otaFaults: faultsOf[index] } : {}),
        ...(this.deps.shardWaitMs !== undefined ? { shardWaitMs: this.deps.shardWaitMs } : {}),
      });
      fleet.devices.push({ deviceId, index, device, seq: 0 });
    }
    this.fleets.set(fleet.id, fleet);
    // Registrations go out in parallel, like meters powered on together.
    await Promise.all(fleet.devices.map((d) => d.device.start().catch(() => undefined)));
    if (fleet.intervalS > 0) {
      const periodMs = fleet.intervalS * 1000;
      for (const d of fleet.devices) {
        const stagger = Math.floor((periodMs * d.index) / fleet.devices.length);
        d.reportTimer = this.deps.clock.setTimeout(() => {
          this.report(fleet, d);
          d.reportTimer = this.deps.clock.setInterval(() => this.report(fleet, d), periodMs);
        }, stagger);
      }
    }
    this.deps.onChange?.(fleet.id);
    return this.view(fleet);
  }

  private frameFor(fleet: Fleet, d: FleetDevice, hex?: string): Uint8Array {
    if (hex !== undefined) return new Uint8Array(Buffer.from(hex, 'hex'));
    if (fleet.hex !== undefined) return new Uint8Array(Buffer.from(fleet.hex, 'hex'));
    if (!fleet.layout) {
      throw new SimulatorError('NO_FRAME_SOURCE', 'the product has no layout codec; give the frame as hex');
    }
    const frame = generatedFrame(fleet.layout, d.seq, d.index);
    if (!frame.ok) throw new SimulatorError(frame.error.code, frame.error.message);
    return frame.value;
  }

  private report(fleet: Fleet, d: FleetDevice): void {
    try {
      const frame = this.frameFor(fleet, d);
      if (d.device.sendUplink(frame).ok) d.seq++;
    } catch {
      // A fleet without a frame source reports nothing on its own; notify-now says why.
    }
  }

  private find(deviceId: string): { fleet: Fleet; d: FleetDevice } {
    for (const fleet of this.fleets.values()) {
      const d = fleet.devices.find((x) => x.deviceId === deviceId);
      if (d) return { fleet, d };
    }
    throw new SimulatorError('NOT_SIMULATED', `device ${deviceId} is not a simulated LwM2M device`);
  }

  /** Sends one frame now (hex given, or the next generated one); returns the bytes sent. */
  notify(deviceId: string, hex?: string): { hex: string } {
    if (hex !== undefined && !isHex(hex)) {
      throw new SimulatorError('BAD_HEX', 'hex must be an even number of hex digits');
    }
    const { fleet, d } = this.find(deviceId);
    const frame = this.frameFor(fleet, d, hex);
    const sent = d.device.sendUplink(frame);
    if (!sent.ok) throw new SimulatorError('DEVICE_NOT_READY', sent.reason);
    d.seq++;
    return { hex: Buffer.from(frame).toString('hex').toUpperCase() };
  }

  async coverage(deviceId: string, on: boolean): Promise<SimDevice> {
    const { fleet, d } = this.find(deviceId);
    await d.device.setCoverage(on);
    this.deps.onChange?.(fleet.id, deviceId);
    return this.deviceView(d);
  }

  setOtaFaults(deviceId: string, faults: SimOtaFaults): SimDevice {
    const { d } = this.find(deviceId);
    d.device.setOtaFaults(faults);
    return this.deviceView(d);
  }

  device(deviceId: string): SimDevice {
    return this.deviceView(this.find(deviceId).d);
  }

  /** The virtual device itself, for in-process tools and tests. */
  virtualDevice(deviceId: string): VirtualNbDevice {
    return this.find(deviceId).d.device;
  }

  list(): SimFleet[] {
    return [...this.fleets.values()].map((f) => this.view(f));
  }

  get(fleetId: string): SimFleet {
    const fleet = this.fleets.get(fleetId);
    if (!fleet) throw new SimulatorError('FLEET_NOT_FOUND', `no simulator fleet ${fleetId}`);
    return this.view(fleet);
  }

  async stop(fleetId: string): Promise<void> {
    const fleet = this.fleets.get(fleetId);
    if (!fleet) throw new SimulatorError('FLEET_NOT_FOUND', `no simulator fleet ${fleetId}`);
    this.fleets.delete(fleetId);
    for (const d of fleet.devices) {
      d.reportTimer?.cancel();
    }
    await Promise.all(fleet.devices.map((d) => d.device.stop().catch(() => undefined)));
    this.deps.onChange?.(fleetId);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.fleets.keys()]) await this.stop(id);
  }

  private deviceView(d: FleetDevice): SimDevice {
    const device = d.device;
    const registeredAt = device.registeredAt();
    const error = device.error();
    return {
      deviceId: d.deviceId,
      nodeId: device.nodeId,
      state: device.state(),
      observed: device.client.observedPaths(),
      uplinks: device.counters.uplinks,
      downlinks: device.counters.downlinks,
      reboots: device.counters.reboots,
      registrations: device.counters.registrations,
      ...(registeredAt !== undefined ? { registeredAt: new Date(registeredAt).toISOString() } : {}),
      ...(error ? { error } : {}),
      firmwareVersion: String(device.objects.get(3, 0, 3) ?? ''),
      softwareVersion: String(device.objects.get(3, 0, 19) ?? ''),
      shardsHeld: device.shardsHeld(),
    };
  }

  private view(fleet: Fleet): SimFleet {
    return {
      id: fleet.id,
      productId: fleet.productId,
      intervalS: fleet.intervalS,
      frameSource: fleet.hex !== undefined ? 'hex' : fleet.layout ? 'layout' : 'none',
      startedAt: new Date(fleet.startedAt).toISOString(),
      devices: fleet.devices.map((d) => this.deviceView(d)),
    };
  }
}
