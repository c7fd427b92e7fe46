// Configuration update: a config of writable property values runs now, when the device is next online, or at
// a time on the platform clock, with a retry policy. A config that has not left for the device yet absorbs a newer
// one (later keys win): one delivery, not two. It reaches the device like desired values, through core/commands.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import { MQTT_ONLINE_GRACE_MS } from '../commands/index.js';
import type { ConfigUpdate, ConfigValues, CreateConfigInput } from '../contract/device-config.js';
import type { DeviceLink, PresenceEvent } from '../device-link/index.js';
import { DomainError } from '../domain-error.js';
import { checkDesired, deliveryState, sendProperties, type CommandPort, type ShadowDevices } from '../shadow/index.js';
import { configView, type ConfigRow, type ConfigStore } from './config-store.js';

export interface ConfigServiceDeps {
  store: ConfigStore;
  clock: Clock;
  link: DeviceLink;
  commands: () => CommandPort;
  devices: ShadowDevices;
  changed: (deviceId: string) => void;
  log: (message: string) => void;
}

/** Later keys win, service by service. */
export function mergeConfigs(older: ConfigValues, newer: ConfigValues): ConfigValues {
  const merged: ConfigValues = { ...older };
  for (const [serviceId, properties] of Object.entries(newer))
    merged[serviceId] = { ...(older[serviceId] ?? {}), ...properties };
  return merged;
}

export class ConfigService {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly openByCommand = new Map<string, string>();
  private readonly attempting = new Set<string>();
  private unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly deps: ConfigServiceDeps) {}

  start(): void {
    this.stopped = false;
    for (const row of this.deps.store.open()) {
      if (row.status === 'SENDING') {
        for (const c of this.commandIds(row)) this.openByCommand.set(c, row.id);
        this.settle(row.id);
      } else void this.arm(row);
    }
    this.unsubscribe = [this.deps.link.onPresence((event) => this.presence(event))];
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.openByCommand.clear();
  }

  /** Stores the config (or merges it into the device's config that has not been sent yet) and runs its schedule. */
  async create(deviceId: string, input: CreateConfigInput): Promise<{ config: ConfigUpdate; merged: boolean }> {
    const device = this.deps.devices.get(deviceId);
    if (!device) throw new DomainError('DEVICE_NOT_FOUND', `no device ${deviceId}`, 'params.id');
    const model = this.deps.devices.model(device.productId);
    if (!model) throw new DomainError('PRODUCT_NOT_FOUND', `the product of ${deviceId} is gone`, 'params.id');
    const services = Object.entries(input.values).map(([serviceId, desired]) => ({ serviceId, desired }));
    checkDesired(model, { services }, 'body.values', 'BAD_CONFIG');
    const now = this.deps.clock.now();
    const schedule = {
      schedule: input.schedule,
      run_at: input.schedule === 'at' ? (input.at ?? now) : null,
      retry_count: input.retry.count,
      retry_interval_s: input.retry.intervalS,
    };
    const waiting = this.deps.store.openOf(deviceId).find((r) => r.status === 'WAITING' && !this.attempting.has(r.id));
    let row: ConfigRow;
    if (waiting) {
      const values = mergeConfigs(JSON.parse(waiting.config) as ConfigValues, input.values);
      row = this.deps.store.update(
        waiting.id,
        { config: JSON.stringify(values), ...schedule, merged_count: waiting.merged_count + 1, next_attempt_at: null },
        now,
      );
    } else {
      const id = randomUUID();
      this.deps.store.insert({
        id,
        device_id: deviceId,
        config: JSON.stringify(input.values),
        ...schedule,
        created_at: now,
      });
      row = this.require(id);
    }
    this.deps.changed(deviceId);
    await this.arm(row);
    return { config: configView(this.require(row.id)), merged: waiting !== undefined };
  }

  list(deviceId: string): { items: ConfigUpdate[]; pending?: ConfigUpdate; lastSuccessful?: ConfigUpdate } {
    if (!this.deps.devices.get(deviceId))
      throw new DomainError('DEVICE_NOT_FOUND', `no device ${deviceId}`, 'params.id');
    const items = this.deps.store.byDevice(deviceId).map(configView);
    const pending = items.find((c) => c.status === 'WAITING' || c.status === 'SENDING');
    const last = this.deps.store.lastSuccessful(deviceId);
    return { items, ...(pending ? { pending } : {}), ...(last ? { lastSuccessful: configView(last) } : {}) };
  }

  lastSuccessful(deviceId: string): ConfigUpdate {
    const last = this.deps.store.lastSuccessful(deviceId);
    if (!last) throw new DomainError('CONFIG_NOT_FOUND', `${deviceId} has no successful config yet`, 'params.id');
    return configView(last);
  }

  commandChanged(commandId: string): void {
    const configId = this.openByCommand.get(commandId);
    if (configId !== undefined) this.settle(configId);
  }

  forgetDevice(deviceId: string): void {
    for (const row of this.deps.store.byDevice(deviceId, 10_000)) {
      this.timers.get(row.id)?.cancel();
      this.timers.delete(row.id);
    }
    this.deps.store.deleteByDevice(deviceId);
  }

  // --- the schedule ------------------------------------------------------------------------------------------------

  private require(id: string): ConfigRow {
    const row = this.deps.store.get(id);
    if (!row) throw new DomainError('CONFIG_NOT_FOUND', `no config ${id}`, 'params.configId');
    return row;
  }

  private commandIds(row: ConfigRow): string[] {
    return row.command_ids === null ? [] : (JSON.parse(row.command_ids) as string[]);
  }

  /** Runs a WAITING config when its time comes: its retry, its scheduled time, now, or the device's next presence. */
  private async arm(row: ConfigRow): Promise<void> {
    this.timers.get(row.id)?.cancel();
    this.timers.delete(row.id);
    const now = this.deps.clock.now();
    const due = row.next_attempt_at ?? (row.schedule === 'at' && row.attempts === 0 ? row.run_at : null);
    if (due !== null && due > now) {
      this.timers.set(
        row.id,
        this.deps.clock.setTimeout(() => {
          this.timers.delete(row.id);
          void this.attempt(row.id, true);
        }, due - now),
      );
      return;
    }
    await this.attempt(row.id, due !== null);
  }

  private presence(event: PresenceEvent): void {
    if (event.kind === 'offline') return;
    const waiting = this.deps.store
      .openOf(event.deviceId)
      .filter((r) => r.status === 'WAITING' && !this.timers.has(r.id));
    if (waiting.length === 0) return;
    const run = () => {
      for (const r of waiting) void this.attempt(r.id, false);
    };
    if (event.kind === 'online' && event.protocol === 'mqtt') this.deps.clock.setTimeout(run, MQTT_ONLINE_GRACE_MS);
    else run();
  }

  /**
   * One attempt. `due`: its time came (a scheduled time or a retry), so a device that cannot be reached fails the
   * attempt; a config that waits for the device (`online`) simply keeps waiting.
   */
  private async attempt(id: string, due: boolean): Promise<void> {
    const row = this.deps.store.get(id);
    if (!row || row.status !== 'WAITING' || this.stopped || this.attempting.has(id)) return;
    const device = this.deps.devices.get(row.device_id);
    const model = device && this.deps.devices.model(device.productId);
    if (!device || !model) return;
    const now = this.deps.clock.now();
    if (!this.deps.link.reachableBy(row.device_id)) {
      if (row.schedule === 'online' && !due) return;
      if (row.schedule === 'online' && row.next_attempt_at !== null) {
        // A retry of a config that waits for the device: it goes when the device is next seen.
        this.deps.store.update(id, { next_attempt_at: null }, now);
        return;
      }
      this.retryOrFail(this.deps.store.update(id, { attempts: row.attempts + 1 }, now), 'the device is not online');
      return;
    }
    this.attempting.add(id);
    let result;
    try {
      const values = JSON.parse(row.config) as ConfigValues;
      const latest = this.deps.devices.latest(row.device_id);
      result = await sendProperties(
        this.deps.link,
        this.deps.commands(),
        { deviceId: row.device_id, model },
        values,
        (s) => ({
          ...(latest.find((l) => l.serviceId === s)?.data ?? {}),
          ...(values[s] ?? {}),
        }),
      );
    } finally {
      this.attempting.delete(id);
    }
    const current = this.require(id);
    if (!result.sent) {
      this.retryOrFail(
        this.deps.store.update(id, { attempts: current.attempts + 1 }, this.deps.clock.now()),
        result.reason,
      );
      return;
    }
    const sending = this.deps.store.update(
      id,
      {
        status: 'SENDING',
        attempts: current.attempts + 1,
        command_ids: JSON.stringify(result.commandIds),
        next_attempt_at: null,
        reason: null,
      },
      this.deps.clock.now(),
    );
    for (const c of result.commandIds) this.openByCommand.set(c, id);
    this.deps.changed(row.device_id);
    this.settle(sending.id);
  }

  private retryOrFail(row: ConfigRow, reason: string): void {
    const now = this.deps.clock.now();
    if (row.attempts <= row.retry_count) {
      const next = this.deps.store.update(
        row.id,
        { status: 'WAITING', reason, next_attempt_at: now + row.retry_interval_s * 1000 },
        now,
      );
      this.deps.log(`config ${row.id} of ${row.device_id}: attempt ${row.attempts} failed (${reason}); retrying`);
      void this.arm(next);
    } else {
      this.deps.store.update(row.id, { status: 'FAILED', reason, finished_at: now, next_attempt_at: null }, now);
    }
    this.deps.changed(row.device_id);
  }

  private settle(id: string): void {
    const row = this.deps.store.get(id);
    if (!row || row.status !== 'SENDING') return;
    const ids = this.commandIds(row);
    const state = deliveryState(this.deps.commands(), ids);
    if (state.outcome === 'open') return;
    for (const c of ids) this.openByCommand.delete(c);
    const now = this.deps.clock.now();
    if (state.outcome === 'delivered') {
      this.deps.store.update(id, { status: 'SUCCESS', finished_at: now, reason: null }, now);
      this.deps.changed(row.device_id);
      return;
    }
    this.retryOrFail(row, state.reason ?? 'the delivery failed');
  }
}
