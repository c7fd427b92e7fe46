// Gateways driving their sub-devices (R-17, §3.3 `$sub_device_manager`): a gateway adds, deletes and reports the
// status of its sub-devices; the platform tells it when sub-devices are added or deleted on its side, and answers
// its sync requests. Downlinks to sub-devices go out through the device link, which carries them on the gateway.
import type { Clock, TimerHandle } from '../clock.js';
import type { DeviceCommand } from '../contract/commands.js';
import type { CreateCommandInput } from '../contract/commands.js';
import type { Device, RegisterDeviceBody } from '../contract/devices.js';
import { PAIRING_WINDOW_S, type GatewayView, type PairingWindow, type SubDeviceState } from '../contract/gateways.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DeviceEvent, DeviceLink, DeviceLinkReports, PresenceEvent } from '../device-link/index.js';
import { deviceIdOf, type RegistryChange } from '../devices/index.js';
import { DomainError } from '../domain-error.js';
import type { Logger } from '../log/logger.js';
import { formatNorthboundTime } from '../northbound/index.js';
import { iotdaEventDown } from '../protocols/mqtt/device-events.js';
import type { GatewayStore } from './gateway-store.js';
import {
  SUB_DEVICE_SERVICE,
  parseSubDeviceRequest,
  subDeviceParas,
  type FailedDevice,
  type SubDeviceToAdd,
} from './sub-device-events.js';

/** Sub-devices per add_sub_device_notify: a sync of a big gateway goes out in pages. */
const NOTIFY_PAGE = 100;

export interface GatewayDeps {
  registry: {
    get(deviceId: string): Device | undefined;
    require(deviceId: string): Device;
    register(input: RegisterDeviceBody, path?: string): { device: Device };
    delete(deviceId: string): void;
    subDevices(gatewayId: string): Device[];
    onChange(listener: (change: RegistryChange) => void): () => void;
  };
  status: { reported(deviceId: string): void; left(deviceId: string): void };
  link: Pick<DeviceLink, 'mqtt' | 'onEvent' | 'onPresence'>;
  /** Presence of sub-devices: ONLINE from their gateway makes cached downlinks to them go out. */
  reports: Pick<DeviceLinkReports, 'presence'>;
  commands: {
    create(deviceId: string, input: CreateCommandInput): Promise<DeviceCommand>;
    view(commandId: string): DeviceCommand;
  };
  productModel(productId: string): ProductModel | undefined;
  /** A sub-device a gateway added belongs to the application that holds the gateway. */
  adopt(subDeviceId: string, gatewayId: string): void;
  /** Live events for the UI: a gateway's sub-devices or pairing window changed. */
  changed(gatewayId: string, what: 'subDevices' | 'pairing'): void;
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

export class GatewayService {
  private readonly unsubscribe: (() => void)[] = [];
  /** Changes the gateway asked for itself: answered in its response, not notified back to it. */
  private readonly byGateway = new Set<string>();
  private readonly deleting = new Map<string, Device>();
  /** Gateways being deleted: their sub-devices go (or turn direct) without a notify to the gateway. */
  private readonly gatewaysGoing = new Set<string>();
  private readonly pairingTimers = new Map<string, TimerHandle>();
  private readonly flushing = new Set<string>();
  private readonly reflush = new Set<string>();

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly deps: GatewayDeps,
  ) {}

  start(): void {
    const guard =
      <T>(what: string, fn: (value: T) => void | Promise<void>) =>
      (value: T) => {
        try {
          const r = fn(value);
          if (r instanceof Promise)
            r.catch((error: unknown) => this.log.error({ err: error }, `gateways: ${what} failed`));
        } catch (error) {
          this.log.error({ err: error }, `gateways: ${what} failed`);
        }
      };
    this.unsubscribe.push(
      this.deps.link.onEvent(guard('a sub-device event', (e: DeviceEvent) => this.onEvent(e))),
      this.deps.link.onPresence(guard('a presence change', (p: PresenceEvent) => this.onPresence(p))),
      this.deps.registry.onChange(guard('a registry change', (c: RegistryChange) => this.onRegistryChange(c))),
    );
    for (const row of this.store.openWindows(this.clock.now()))
      if (row.pairing_until !== null) this.timePairing(row.device_id, row.pairing_until);
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.pairingTimers.values()) t.cancel();
    this.pairingTimers.clear();
  }

  view(gatewayId: string): GatewayView {
    const gateway = this.deps.registry.require(gatewayId);
    if (gateway.gatewayId !== undefined)
      throw new DomainError('NOT_A_GATEWAY', `${gatewayId} is a sub-device of ${gateway.gatewayId}`, 'params.id');
    const row = this.store.get(gatewayId);
    const statuses = this.store.statusesOf(gatewayId);
    const connected = this.deps.link.mqtt.isConnected(gatewayId);
    return {
      deviceId: gatewayId,
      connected,
      ...(connected ? {} : offlineSince(row?.offline_since)),
      version: row?.version ?? 0,
      queuedNotifies: this.store.queuedNotifies(gatewayId),
      discoverySupported: discoveryService(this.deps.productModel(gateway.productId)) !== undefined,
      pairing: this.pairing(gatewayId),
      subDevices: this.deps.registry.subDevices(gatewayId).map((device) => {
        const s = statuses.get(device.deviceId);
        return {
          device,
          reportedBy: gatewayId,
          ...(s ? { statusReportedAt: new Date(s.reported_at).toISOString(), reportedStatus: s.status } : {}),
        };
      }),
    };
  }

  subDeviceState(deviceId: string): SubDeviceState {
    const device = this.deps.registry.require(deviceId);
    if (device.gatewayId === undefined)
      throw new DomainError(
        'NOT_A_SUB_DEVICE',
        `${deviceId} is connected directly, not through a gateway`,
        'params.id',
      );
    const gateway = this.deps.registry.get(device.gatewayId);
    const connected = this.deps.link.mqtt.isConnected(device.gatewayId);
    const gone = connected ? undefined : iso(this.store.get(device.gatewayId)?.offline_since);
    const s = this.store.statusOf(deviceId);
    return {
      gatewayId: device.gatewayId,
      ...(gateway?.name ? { gatewayName: gateway.name } : {}),
      gatewayConnected: connected,
      ...(gone ? { gatewayOfflineSince: gone } : {}),
      ...(s ? { statusReportedAt: new Date(s.reported_at).toISOString(), reportedStatus: s.status } : {}),
    };
  }

  /** DISCOVERY to the gateway; storing the command opens its pairing window (`commandCreated`). */
  async startDiscovery(gatewayId: string, paras: Record<string, unknown>): Promise<GatewayView> {
    const gateway = this.deps.registry.require(gatewayId);
    const serviceId = discoveryService(this.deps.productModel(gateway.productId));
    if (serviceId === undefined || gateway.gatewayId !== undefined)
      throw new DomainError(
        'DISCOVERY_NOT_SUPPORTED',
        gateway.gatewayId !== undefined
          ? `${gatewayId} is a sub-device of ${gateway.gatewayId}; only gateways have a pairing window`
          : `the model of ${gateway.productId} defines no DISCOVERY command; only such gateways have a pairing window`,
        'params.id',
      );
    await this.deps.commands.create(gatewayId, {
      kind: 'command',
      serviceId,
      method: 'DISCOVERY',
      paras,
      expireTime: PAIRING_WINDOW_S,
      maxRetransmit: 0,
      raw: false,
    });
    return this.view(gatewayId);
  }

  /**
   * A command was stored, by whatever route (workbench, northbound, batch, rule): a DISCOVERY command to a gateway
   * whose model defines it opens that gateway's pairing window for 180 s, as the dedicated route does.
   */
  commandCreated(commandId: string, deviceId: string): void {
    const device = this.deps.registry.get(deviceId);
    if (!device || device.gatewayId !== undefined) return;
    const serviceId = discoveryService(this.deps.productModel(device.productId));
    if (serviceId === undefined) return;
    const command = this.deps.commands.view(commandId);
    if (command.kind !== 'command' || command.method !== 'DISCOVERY' || command.serviceId !== serviceId) return;
    const until = this.clock.now() + PAIRING_WINDOW_S * 1000;
    this.store.openPairing(deviceId, until, commandId);
    this.timePairing(deviceId, until);
    this.deps.changed(deviceId, 'pairing');
  }

  /** Sends the gateway its whole sub-device list; false when it is not connected. */
  async sync(gatewayId: string): Promise<{ sent: boolean; devices: number }> {
    this.deps.registry.require(gatewayId);
    const devices = this.deps.registry.subDevices(gatewayId);
    const version = this.store.get(gatewayId)?.version ?? 0;
    let sent = this.deps.link.mqtt.isConnected(gatewayId);
    for (let i = 0; sent && (i < devices.length || i === 0); i += NOTIFY_PAGE) {
      const page = devices.slice(i, i + NOTIFY_PAGE).map((d) => subDeviceParas(d, gatewayId));
      sent = await this.send(gatewayId, 'add_sub_device_notify', { version, devices: page });
    }
    return { sent, devices: devices.length };
  }

  private pairing(gatewayId: string): PairingWindow {
    const row = this.store.get(gatewayId);
    const until = row?.pairing_until ?? undefined;
    if (until === undefined) return { open: false, remainingS: 0 };
    const left = Math.max(0, Math.ceil((until - this.clock.now()) / 1000));
    return {
      open: left > 0,
      until: new Date(until).toISOString(),
      remainingS: left,
      ...(row?.pairing_command_id ? { commandId: row.pairing_command_id } : {}),
    };
  }

  private timePairing(gatewayId: string, until: number): void {
    this.pairingTimers.get(gatewayId)?.cancel();
    this.pairingTimers.set(
      gatewayId,
      this.clock.setTimeout(
        () => {
          this.pairingTimers.delete(gatewayId);
          this.deps.changed(gatewayId, 'pairing');
        },
        Math.max(0, until - this.clock.now()),
      ),
    );
  }

  private async send(
    gatewayId: string,
    eventType: string,
    paras: Record<string, unknown>,
    eventId?: string,
  ): Promise<boolean> {
    return (await this.publishEvent(gatewayId, eventType, paras, eventId)).sent;
  }

  private async publishEvent(gatewayId: string, eventType: string, paras: Record<string, unknown>, eventId?: string) {
    const event = iotdaEventDown(gatewayId, {
      serviceId: SUB_DEVICE_SERVICE,
      eventType,
      eventTime: formatNorthboundTime(this.clock.now()),
      ...(eventId === undefined ? {} : { eventId }),
      paras,
    });
    const sent = await this.deps.link.mqtt.publish(gatewayId, { ...event, qos: 1 });
    if (!sent.sent) this.log.info(`gateways: ${eventType} to ${gatewayId} not sent: ${sent.reason}`);
    return sent;
  }

  /** A change made on the platform side: stored first, then sent when (and as soon as) the gateway is there. */
  private notify(gatewayId: string, eventType: string, paras: Record<string, unknown>): Promise<void> {
    this.store.queueNotify(gatewayId, eventType, JSON.stringify(paras), this.clock.now());
    return this.flush(gatewayId);
  }

  /** Queued notifies go out in order, each once the gateway acknowledged the one before (its PUBACK). */
  private async flush(gatewayId: string): Promise<void> {
    if (this.flushing.has(gatewayId)) {
      this.reflush.add(gatewayId);
      return;
    }
    this.flushing.add(gatewayId);
    try {
      do {
        this.reflush.delete(gatewayId);
        for (;;) {
          if (!this.deps.link.mqtt.isConnected(gatewayId)) break;
          const next = this.store.nextNotify(gatewayId);
          if (!next) break;
          const sent = await this.publishEvent(
            gatewayId,
            next.event_type,
            JSON.parse(next.paras) as Record<string, unknown>,
          );
          if (!sent.sent || !(await sent.delivered)) break;
          this.store.removeNotify(next.seq);
        }
      } while (this.reflush.has(gatewayId));
    } finally {
      this.flushing.delete(gatewayId);
    }
  }

  private async onEvent(event: DeviceEvent): Promise<void> {
    if (event.serviceId !== SUB_DEVICE_SERVICE) return;
    const gatewayId = event.gatewayId ?? event.deviceId;
    const request = parseSubDeviceRequest(event.eventType, event.paras);
    if (!request) return;
    if (!request.ok) {
      this.log.warn(`gateways: ${gatewayId} sent a bad ${event.eventType}: ${request.error.message}`);
      return;
    }
    const r = request.value;
    switch (r.kind) {
      case 'add':
        return this.addByGateway(gatewayId, r.devices, event.eventId);
      case 'delete':
        return this.deleteByGateway(gatewayId, r.deviceIds, event.eventId);
      case 'status':
        return this.statusByGateway(gatewayId, r.statuses, event.at, event.eventId);
      case 'sync':
        await this.sync(gatewayId);
    }
  }

  private async addByGateway(gatewayId: string, devices: SubDeviceToAdd[], eventId?: string): Promise<void> {
    const successful: ReturnType<typeof subDeviceParas>[] = [];
    const failed: FailedDevice[] = [];
    this.byGateway.add(gatewayId);
    try {
      for (const [i, d] of devices.entries()) {
        try {
          const { device } = this.deps.registry.register(
            { productId: d.productId, nodeId: d.nodeId, ...(d.name ? { name: d.name } : {}), gatewayId },
            `devices.${i}`,
          );
          this.deps.adopt(device.deviceId, gatewayId);
          successful.push(subDeviceParas(device, gatewayId, d.description));
        } catch (error) {
          // A gateway that adds again what it already added (a retry after a lost response) gets it back.
          const again = this.deps.registry.get(deviceIdOf(d.productId, d.nodeId));
          if (again?.gatewayId === gatewayId) successful.push(subDeviceParas(again, gatewayId, d.description));
          else failed.push({ node_id: d.nodeId, product_id: d.productId, ...errorOf(error) });
        }
      }
    } finally {
      this.byGateway.delete(gatewayId);
    }
    if (successful.length > 0) {
      this.store.bumpVersion(gatewayId);
      this.deps.changed(gatewayId, 'subDevices');
    }
    await this.send(
      gatewayId,
      'add_sub_device_response',
      { successful_devices: successful, failed_devices: failed },
      eventId,
    );
  }

  private async deleteByGateway(gatewayId: string, deviceIds: string[], eventId?: string): Promise<void> {
    const successful: string[] = [];
    const failed: FailedDevice[] = [];
    this.byGateway.add(gatewayId);
    try {
      for (const id of deviceIds) {
        const device = this.deps.registry.get(id);
        if (!device) failed.push({ device_id: id, error_code: 'DEVICE_NOT_FOUND', error_msg: `no device ${id}` });
        else if (device.gatewayId !== gatewayId)
          failed.push({
            device_id: id,
            error_code: 'NOT_A_SUB_DEVICE',
            error_msg: `${id} is not a sub-device of ${gatewayId}`,
          });
        else {
          this.deps.registry.delete(id);
          successful.push(id);
        }
      }
    } finally {
      this.byGateway.delete(gatewayId);
    }
    if (successful.length > 0) {
      this.store.bumpVersion(gatewayId);
      this.deps.changed(gatewayId, 'subDevices');
    }
    await this.send(
      gatewayId,
      'delete_sub_device_response',
      { successful_devices: successful, failed_devices: failed },
      eventId,
    );
  }

  private async statusByGateway(
    gatewayId: string,
    statuses: { deviceId: string; status: 'ONLINE' | 'OFFLINE' }[],
    at: number,
    eventId?: string,
  ): Promise<void> {
    const successful: { device_id: string; status: string }[] = [];
    const failed: FailedDevice[] = [];
    for (const s of statuses) {
      const device = this.deps.registry.get(s.deviceId);
      if (device?.gatewayId !== gatewayId) {
        failed.push({
          device_id: s.deviceId,
          error_code: device ? 'NOT_A_SUB_DEVICE' : 'DEVICE_NOT_FOUND',
          error_msg: device ? `${s.deviceId} is not a sub-device of ${gatewayId}` : `no device ${s.deviceId}`,
        });
        continue;
      }
      this.store.recordStatus({ device_id: s.deviceId, gateway_id: gatewayId, status: s.status, reported_at: at });
      if (s.status === 'ONLINE') {
        this.deps.status.reported(s.deviceId);
        this.deps.reports.presence({ at, deviceId: s.deviceId, protocol: 'mqtt', kind: 'online' });
      } else this.deps.status.left(s.deviceId);
      successful.push({ device_id: s.deviceId, status: s.status });
    }
    this.deps.changed(gatewayId, 'subDevices');
    await this.send(
      gatewayId,
      'sub_device_update_status_response',
      { successful_devices: successful, failed_devices: failed },
      eventId,
    );
  }

  private onPresence(p: PresenceEvent): void {
    if (p.protocol !== 'mqtt' || (p.kind !== 'online' && p.kind !== 'offline')) return;
    const device = this.deps.registry.get(p.deviceId);
    if (device?.nodeType !== 'GATEWAY' || device.gatewayId !== undefined) return;
    // A gateway that vanishes without a word leaves its sub-devices as it last reported them.
    this.store.setOfflineSince(p.deviceId, p.kind === 'offline' ? p.at : null);
    if (p.kind === 'online')
      this.flush(p.deviceId).catch((error: unknown) =>
        this.log.error({ err: error }, `gateways: the notifies waiting for ${p.deviceId} could not be sent`),
      );
    if (p.kind === 'online')
      for (const sub of this.deps.registry.subDevices(p.deviceId))
        if (sub.status === 'online')
          this.deps.reports.presence({ at: p.at, deviceId: sub.deviceId, protocol: 'mqtt', kind: 'online' });
    this.deps.changed(p.deviceId, 'subDevices');
  }

  private async onRegistryChange(change: RegistryChange): Promise<void> {
    if (change.kind === 'deleting') {
      const device = this.deps.registry.get(change.deviceId);
      if (device?.gatewayId !== undefined) this.deleting.set(change.deviceId, device);
      // Its sub-devices are deleted with it (or made direct): nobody is left to tell.
      else if (device?.nodeType === 'GATEWAY') this.gatewaysGoing.add(change.deviceId);
      return;
    }
    if (change.kind === 'deleted') {
      const device = this.deleting.get(change.deviceId);
      this.deleting.delete(change.deviceId);
      this.store.forget(change.deviceId);
      this.gatewaysGoing.delete(change.deviceId);
      this.pairingTimers.get(change.deviceId)?.cancel();
      if (!device?.gatewayId || this.byGateway.has(device.gatewayId) || this.gatewaysGoing.has(device.gatewayId))
        return;
      const gatewayId = device.gatewayId;
      const version = this.store.bumpVersion(gatewayId);
      this.deps.changed(gatewayId, 'subDevices');
      await this.notify(gatewayId, 'delete_sub_device_notify', {
        version,
        devices: [{ parent_device_id: gatewayId, node_id: device.nodeId, device_id: device.deviceId }],
      });
      return;
    }
    if (change.kind !== 'registered') return;
    const device = this.deps.registry.get(change.deviceId);
    if (!device?.gatewayId || this.byGateway.has(device.gatewayId)) return;
    const version = this.store.bumpVersion(device.gatewayId);
    this.deps.changed(device.gatewayId, 'subDevices');
    await this.notify(device.gatewayId, 'add_sub_device_notify', {
      version,
      devices: [subDeviceParas(device, device.gatewayId)],
    });
  }
}

function discoveryService(model: ProductModel | undefined): string | undefined {
  return model?.services.find((s) => s.commands.some((c) => c.name === 'DISCOVERY'))?.serviceId;
}

function offlineSince(at: number | null | undefined): { offlineSince?: string } {
  const since = iso(at);
  return since ? { offlineSince: since } : {};
}

function errorOf(error: unknown): { error_code: string; error_msg: string } {
  if (error instanceof DomainError) return { error_code: error.code, error_msg: error.message };
  return { error_code: 'INTERNAL', error_msg: error instanceof Error ? error.message : String(error) };
}
