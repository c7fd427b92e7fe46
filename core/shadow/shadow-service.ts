// The device shadow: desired values are stored first, then sent to the device at once when it can be reached
// (else when it next comes online or reports) through core/commands; a report equal to a desired value clears the
// mismatch. Each delivery's result is stored, announced and pushed (`deviceDesiredPropertiesModifyStatusChanged`).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
// An MQTT device subscribes right after it connects (which also tells its dialect): deliveries wait as commands do.
import { MQTT_ONLINE_GRACE_MS } from '../commands/index.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DesiredChange, DesiredDeliveryState, DeviceShadow, SetDesiredBody } from '../contract/shadow.js';
import type { DeviceLink, DeviceRequest, PresenceEvent } from '../device-link/index.js';
import { DomainError } from '../domain-error.js';
import { formatNorthboundTime } from '../northbound/index.js';
import { checkField } from '../products/index.js';
import { shadowGetResponse, type WireShadowService } from '../protocols/mqtt/shadow-payloads.js';
import { deliveryState, sendProperties, type CommandPort } from './property-delivery.js';
import type { DesiredRow, ShadowStore } from './shadow-store.js';

export interface ShadowDevices {
  get(deviceId: string): { deviceId: string; productId: string; status: string } | undefined;
  model(productId: string): ProductModel | undefined;
  /** The latest reported values per service (the data capability's). */
  latest(deviceId: string): { serviceId: string; data: Record<string, unknown>; eventTime: string }[];
}

export interface DesiredDeliveryResult {
  deviceId: string;
  serviceId: string;
  properties: Record<string, unknown>;
  status: 'DELIVERED' | 'FAILED';
  reason?: string;
}

export interface ShadowServiceDeps {
  store: ShadowStore;
  clock: Clock;
  link: DeviceLink;
  commands: () => CommandPort;
  devices: ShadowDevices;
  changed: (deviceId: string, kind: 'desired' | 'delivery' | 'reported') => void;
  deliveryResult: (result: DesiredDeliveryResult) => void;
  log: (message: string) => void;
}

/** Values compare as JSON: 40 and 40.0 agree, "40" and 40 do not. */
export const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const parseValue = (text: string): unknown => JSON.parse(text) as unknown;

export class ShadowService {
  /** Devices with desired values at all: a report of any other device costs one set lookup. */
  private readonly withDesired = new Set<string>();
  /** Devices with desired values still to send. */
  private readonly pending = new Set<string>();
  private readonly openByCommand = new Map<string, string>();
  private readonly openServices = new Set<string>();
  private readonly delivering = new Set<string>();
  private readonly again = new Set<string>();
  private unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly deps: ShadowServiceDeps) {}

  start(): void {
    this.stopped = false;
    const { store, link, clock } = this.deps;
    for (const deviceId of store.devicesWithDesired()) {
      this.withDesired.add(deviceId);
      if (store.desired(deviceId).some((r) => this.toSend(r))) this.pending.add(deviceId);
    }
    for (const row of store.openDeliveries())
      this.track(row.id, row.device_id, row.service_id, JSON.parse(row.command_ids) as string[]);
    for (const row of store.openDeliveries()) this.settle(row.id);
    this.unsubscribe = [
      link.onPresence((event) => this.presence(event, clock)),
      link.onRequest((request) => void this.answer(request)),
    ];
    for (const deviceId of [...this.pending]) void this.deliver(deviceId);
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.openByCommand.clear();
    this.openServices.clear();
  }

  view(deviceId: string): DeviceShadow {
    const device = this.requireDevice(deviceId);
    const model = this.deps.devices.model(device.productId);
    const desired = this.deps.store.desired(deviceId);
    const latest = this.deps.devices.latest(deviceId);
    const serviceIds = new Set<string>([
      ...(model?.services.filter((s) => s.properties.length > 0).map((s) => s.serviceId) ?? []),
      ...latest.map((l) => l.serviceId),
      ...desired.map((d) => d.service_id),
    ]);
    const version = this.deps.store.version(deviceId);
    return {
      deviceId,
      online: this.deps.link.reachableBy(deviceId) !== undefined,
      status: device.status,
      version,
      services: [...serviceIds].map((serviceId) => {
        const rows = desired.filter((d) => d.service_id === serviceId);
        const reported = latest.find((l) => l.serviceId === serviceId);
        const desiredAt = rows.length > 0 ? Math.max(...rows.map((r) => r.set_at)) : undefined;
        return {
          serviceId,
          serviceType: model?.services.find((s) => s.serviceId === serviceId)?.serviceType ?? serviceId,
          desired: Object.fromEntries(
            rows.map((r) => [
              r.property,
              {
                value: parseValue(r.value),
                setAt: r.set_at,
                setBy: r.set_by,
                delivery: r.delivery,
                ...(r.reason !== null ? { reason: r.reason } : {}),
                ...(r.mismatch_since !== null ? { mismatchSince: r.mismatch_since } : {}),
              },
            ]),
          ),
          ...(desiredAt !== undefined ? { desiredAt } : {}),
          reported: reported?.data ?? {},
          ...(reported ? { reportedAt: Date.parse(reported.eventTime) } : {}),
          version,
        };
      }),
    };
  }

  /** Checks the values against the model (writable properties only), stores them, and sends what the device lacks. */
  async setDesired(deviceId: string, body: SetDesiredBody, by: string): Promise<DeviceShadow> {
    const device = this.requireDevice(deviceId);
    const model = this.deps.devices.model(device.productId);
    if (!model) throw new DomainError('PRODUCT_NOT_FOUND', `the product of ${deviceId} is gone`, 'params.id');
    checkDesired(model, body);
    const now = this.deps.clock.now();
    const latest = this.deps.devices.latest(deviceId);
    const { store } = this.deps;
    store.transaction(() => {
      for (const service of body.services) {
        const reported = latest.find((l) => l.serviceId === service.serviceId)?.data ?? {};
        for (const [property, value] of Object.entries(service.desired)) {
          const old = store.desiredOne(deviceId, service.serviceId, property);
          const inSync = property in reported && sameValue(reported[property], value);
          store.setDesired({
            device_id: deviceId,
            service_id: service.serviceId,
            property,
            value: JSON.stringify(value),
            set_at: now,
            set_by: by,
            delivery: 'pending',
            mismatch_since: inSync ? null : now,
          });
          store.addHistory(deviceId, service.serviceId, property, old?.value ?? null, JSON.stringify(value), by, now);
        }
      }
      store.bump(deviceId);
    });
    this.withDesired.add(deviceId);
    this.pending.add(deviceId);
    this.deps.changed(deviceId, 'desired');
    await this.deliver(deviceId);
    return this.view(deviceId);
  }

  history(deviceId: string, limit: number): DesiredChange[] {
    this.requireDevice(deviceId);
    return this.deps.store.history(deviceId, limit).map((r) => {
      const delivery = r.delivery_id === null ? undefined : this.deps.store.delivery(r.delivery_id);
      const state: DesiredDeliveryState =
        delivery === undefined
          ? 'pending'
          : delivery.status === 'SENDING'
            ? 'sent'
            : delivery.status === 'DELIVERED'
              ? 'delivered'
              : 'failed';
      return {
        id: r.id,
        at: r.at,
        by: r.set_by,
        serviceId: r.service_id,
        property: r.property,
        ...(r.old_value !== null ? { oldValue: parseValue(r.old_value) } : {}),
        newValue: parseValue(r.new_value),
        delivery: state,
        ...(delivery?.reason ? { reason: delivery.reason } : {}),
      };
    });
  }

  /**
   * A stored report (called inside the transaction that stores it): a reported value equal to the desired one clears
   * the mismatch, a different one opens it again.
   */
  reported(report: {
    deviceId: string;
    receivedAt: number;
    services: { serviceId: string; properties: Record<string, unknown> }[];
  }): void {
    if (!this.withDesired.has(report.deviceId)) return;
    const rows = this.deps.store.desired(report.deviceId);
    let changed = false;
    for (const service of report.services)
      for (const [property, value] of Object.entries(service.properties)) {
        const row = rows.find((r) => r.service_id === service.serviceId && r.property === property);
        if (!row) continue;
        const agrees = sameValue(parseValue(row.value), value);
        if (agrees && row.mismatch_since !== null) {
          this.deps.store.setMismatch(row.device_id, row.service_id, property, null);
          changed = true;
        } else if (!agrees && row.mismatch_since === null) {
          this.deps.store.setMismatch(row.device_id, row.service_id, property, report.receivedAt);
          changed = true;
        }
      }
    if (changed) this.deps.changed(report.deviceId, 'reported');
  }

  /** A transition of some command: the delivery it belongs to may be over. */
  commandChanged(commandId: string): void {
    const deliveryId = this.openByCommand.get(commandId);
    if (deliveryId !== undefined) this.settle(deliveryId);
  }

  forgetDevice(deviceId: string): void {
    this.withDesired.delete(deviceId);
    this.pending.delete(deviceId);
    this.deps.store.forgetDevice(deviceId);
  }

  // --- delivery ----------------------------------------------------------------------------------------------------

  private presence(event: PresenceEvent, clock: Clock): void {
    if (event.kind === 'offline' || !this.pending.has(event.deviceId)) return;
    if (event.kind === 'online' && event.protocol === 'mqtt')
      clock.setTimeout(() => void this.deliver(event.deviceId), MQTT_ONLINE_GRACE_MS);
    else void this.deliver(event.deviceId);
  }

  /** A desired value still to send: not sent yet and not already what the device reports. */
  private toSend(row: DesiredRow): boolean {
    return row.delivery === 'pending' && row.mismatch_since !== null;
  }

  private async deliver(deviceId: string): Promise<void> {
    if (this.delivering.has(deviceId)) {
      this.again.add(deviceId);
      return;
    }
    this.delivering.add(deviceId);
    try {
      do {
        this.again.delete(deviceId);
        await this.deliverOnce(deviceId);
      } while (this.again.has(deviceId) && !this.stopped);
    } finally {
      this.delivering.delete(deviceId);
    }
  }

  private async deliverOnce(deviceId: string): Promise<void> {
    const { store, link } = this.deps;
    if (this.stopped || !this.pending.has(deviceId) || !link.reachableBy(deviceId)) return;
    const device = this.deps.devices.get(deviceId);
    const model = device && this.deps.devices.model(device.productId);
    if (!device || !model) return;
    const rows = store.desired(deviceId).filter((r) => this.toSend(r));
    if (rows.length === 0) {
      this.pending.delete(deviceId);
      return;
    }
    const latest = this.deps.devices.latest(deviceId);
    for (const serviceId of new Set(rows.map((r) => r.service_id))) {
      if (this.openServices.has(`${deviceId}\u0000${serviceId}`)) continue;
      const sent = rows.filter((r) => r.service_id === serviceId);
      const values = Object.fromEntries(sent.map((r) => [r.property, parseValue(r.value)]));
      const current = {
        ...(latest.find((l) => l.serviceId === serviceId)?.data ?? {}),
        ...Object.fromEntries(
          store
            .desired(deviceId)
            .filter((r) => r.service_id === serviceId)
            .map((r) => [r.property, parseValue(r.value)]),
        ),
      };
      const result = await sendProperties(
        link,
        this.deps.commands(),
        { deviceId, model },
        { [serviceId]: values },
        () => current,
      );
      if (!result.sent) {
        if (!result.reachable) return;
        store.transaction(() => {
          for (const r of sent)
            store.setDelivery(deviceId, serviceId, r.property, r.value, 'failed', null, result.reason);
        });
        this.deps.log(`desired values of ${deviceId}.${serviceId} cannot be sent: ${result.reason}`);
        this.deps.deliveryResult({ deviceId, serviceId, properties: values, status: 'FAILED', reason: result.reason });
        this.deps.changed(deviceId, 'delivery');
        continue;
      }
      const id = randomUUID();
      store.transaction(() => {
        store.addDelivery(id, deviceId, serviceId, values, result.commandIds, this.deps.clock.now());
        for (const r of sent) store.setDelivery(deviceId, serviceId, r.property, r.value, 'sent', id, null);
      });
      this.track(id, deviceId, serviceId, result.commandIds);
      this.deps.changed(deviceId, 'delivery');
      // Its commands may have been acknowledged before they were tracked.
      this.settle(id);
    }
  }

  private track(deliveryId: string, deviceId: string, serviceId: string, commandIds: string[]): void {
    this.openServices.add(`${deviceId}\u0000${serviceId}`);
    for (const c of commandIds) this.openByCommand.set(c, deliveryId);
  }

  private settle(deliveryId: string): void {
    const { store } = this.deps;
    const row = store.delivery(deliveryId);
    if (!row || row.status !== 'SENDING') return;
    const commandIds = JSON.parse(row.command_ids) as string[];
    const state = deliveryState(this.deps.commands(), commandIds);
    const { outcome, commands } = state;
    if (outcome === 'open') return;
    const reason = state.reason ?? null;
    // A command that expired waiting in the queue never reached the device: its values wait for the next chance.
    const retryLater = outcome === 'failed' && commands.some((c) => c.status === 'EXPIRED');
    const properties = JSON.parse(row.properties) as Record<string, unknown>;
    store.transaction(() => {
      store.finish(deliveryId, outcome === 'delivered' ? 'DELIVERED' : 'FAILED', reason, this.deps.clock.now());
      const next: DesiredDeliveryState = outcome === 'delivered' ? 'delivered' : retryLater ? 'pending' : 'failed';
      for (const [property, value] of Object.entries(properties))
        store.setDelivery(row.device_id, row.service_id, property, JSON.stringify(value), next, deliveryId, reason);
    });
    for (const c of commandIds) this.openByCommand.delete(c);
    this.openServices.delete(`${row.device_id}\u0000${row.service_id}`);
    if (retryLater) this.pending.add(row.device_id);
    this.deps.deliveryResult({
      deviceId: row.device_id,
      serviceId: row.service_id,
      properties,
      status: outcome === 'delivered' ? 'DELIVERED' : 'FAILED',
      ...(reason !== null ? { reason } : {}),
    });
    this.deps.changed(row.device_id, 'delivery');
    // Values set while this delivery was on its way go next.
    if (this.pending.has(row.device_id)) void this.deliver(row.device_id);
  }

  // --- the device asks ---------------------------------------------------------------------------------------------

  /** IoTDA `sys/shadow/get`: the shadow goes back on the response topic with the request's id. */
  private async answer(request: DeviceRequest): Promise<void> {
    if (request.kind !== 'shadowGet' || !this.deps.devices.get(request.deviceId)) return;
    const view = this.view(request.deviceId);
    const services: WireShadowService[] = view.services
      .filter((s) => request.serviceId === undefined || s.serviceId === request.serviceId)
      .map((s) => ({
        serviceId: s.serviceId,
        desired: {
          properties: Object.fromEntries(Object.entries(s.desired).map(([k, d]) => [k, d.value])),
          eventTime: s.desiredAt !== undefined ? formatNorthboundTime(s.desiredAt) : null,
        },
        reported: {
          properties: s.reported,
          eventTime: s.reportedAt !== undefined ? formatNorthboundTime(s.reportedAt) : null,
        },
        version: s.version,
      }));
    const encoded = shadowGetResponse(request.deviceId, request.requestId, services);
    const sent = await this.deps.link.mqtt.publish(request.deviceId, {
      topic: encoded.topic,
      payload: encoded.payload,
    });
    if (!sent.sent) this.deps.log(`the shadow of ${request.deviceId} could not be sent: ${sent.reason}`);
  }

  private requireDevice(deviceId: string) {
    const device = this.deps.devices.get(deviceId);
    if (!device) throw new DomainError('DEVICE_NOT_FOUND', `no device ${deviceId}`, 'params.id');
    return device;
  }
}

/** Desired values (and config values) name writable properties of the model's services, with values it allows. */
export function checkDesired(
  model: ProductModel,
  body: SetDesiredBody,
  path = 'body.services',
  code = 'BAD_DESIRED',
): void {
  const refuse = (message: string, where: string) => new DomainError(code, message, where);
  body.services.forEach((entry, i) => {
    const service = model.services.find((s) => s.serviceId === entry.serviceId);
    if (!service) throw refuse(`the model has no service ${entry.serviceId}`, `${path}.${i}.serviceId`);
    const names = Object.keys(entry.desired);
    if (names.length === 0) throw refuse(`no value for ${entry.serviceId}`, `${path}.${i}.desired`);
    for (const name of names) {
      const where = `${path}.${i}.desired.${name}`;
      const property = service.properties.find((p) => p.name === name);
      if (!property) throw refuse(`service ${entry.serviceId} has no property ${name}`, where);
      if (!property.method.includes('W'))
        throw refuse(`${entry.serviceId}.${name} is not writable (its access is ${property.method})`, where);
      const issue = checkField(property, entry.desired[name], `${entry.serviceId}.${name}`)[0];
      if (issue) throw refuse(issue.message, where);
    }
  });
}
