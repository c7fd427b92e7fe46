// The status engine on the injectable clock: MQTT online while connected, offline a minute after the
// connection drops; short-connection devices offline after 25 h of silence (or at once when they deregister),
// abnormal after 169 h.
import type { EventBus } from '../bus/event-bus.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { DeviceRegistry } from './device-registry.js';

export const OFFLINE_GRACE_MS = 60_000;
export const SHORT_OFFLINE_MS = 25 * 3600_000;
export const SHORT_ABNORMAL_MS = 169 * 3600_000;
const SWEEP_EVERY_MS = 60_000;

export class DeviceStatusEngine {
  private readonly connections = new Map<string, number>();
  private readonly offlineTimers = new Map<string, TimerHandle>();
  private sweep: TimerHandle | undefined;
  private expiry: TimerHandle | undefined;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    for (const id of this.registry.resetLongConnections()) this.publish(id, 'offline');
    this.sweep = this.clock.setInterval(() => this.sweepSilent(), SWEEP_EVERY_MS);
    this.scheduleExpiry();
  }

  stop(): void {
    this.sweep?.cancel();
    this.expiry?.cancel();
    for (const t of this.offlineTimers.values()) t.cancel();
    this.offlineTimers.clear();
  }

  isConnected(deviceId: string): boolean {
    return (this.connections.get(deviceId) ?? 0) > 0;
  }

  connected(deviceId: string): void {
    this.connections.set(deviceId, (this.connections.get(deviceId) ?? 0) + 1);
    this.offlineTimers.get(deviceId)?.cancel();
    this.offlineTimers.delete(deviceId);
    const before = this.registry.touch(deviceId, 'online');
    if (before !== undefined && before !== 'online') this.publish(deviceId, 'online');
  }

  disconnected(deviceId: string): void {
    const left = (this.connections.get(deviceId) ?? 1) - 1;
    if (left > 0) {
      this.connections.set(deviceId, left);
      return;
    }
    this.connections.delete(deviceId);
    this.offlineTimers.get(deviceId)?.cancel();
    this.offlineTimers.set(
      deviceId,
      this.clock.setTimeout(() => {
        this.offlineTimers.delete(deviceId);
        if (this.isConnected(deviceId) || !this.registry.get(deviceId)) return;
        this.registry.setStatus(deviceId, 'offline');
        this.publish(deviceId, 'offline');
      }, OFFLINE_GRACE_MS),
    );
  }

  /** Any accepted uplink: short-connection devices come online with it. */
  reported(deviceId: string): void {
    const before = this.registry.touch(deviceId, 'online');
    if (before !== undefined && before !== 'online') this.publish(deviceId, 'online');
  }

  /** A short-connection device that said it is leaving (LwM2M deregistration): offline now, not after 25 h. */
  left(deviceId: string): void {
    if (this.registry.get(deviceId)?.status !== 'online') return;
    this.registry.setStatus(deviceId, 'offline');
    this.publish(deviceId, 'offline');
  }

  forget(deviceId: string): void {
    this.connections.delete(deviceId);
    this.offlineTimers.get(deviceId)?.cancel();
    this.offlineTimers.delete(deviceId);
  }

  scheduleExpiry(): void {
    this.expiry?.cancel();
    const next = this.registry.nextActivationDeadline();
    if (next === undefined) return;
    this.expiry = this.clock.setTimeout(
      () => {
        for (const id of this.registry.expireUnactivated()) this.publish(id, 'deleted');
        this.scheduleExpiry();
      },
      Math.max(0, next - this.clock.now()),
    );
  }

  sweepSilent(): void {
    const now = this.clock.now();
    for (const id of this.registry.silentShortDevices('online', now - SHORT_OFFLINE_MS)) {
      this.registry.setStatus(id, 'offline');
      this.publish(id, 'offline');
    }
    for (const id of this.registry.silentShortDevices('offline', now - SHORT_ABNORMAL_MS)) {
      this.registry.setStatus(id, 'abnormal');
      this.publish(id, 'abnormal');
    }
  }

  private publish(deviceId: string, kind: 'online' | 'offline' | 'abnormal' | 'deleted'): void {
    this.bus.publish('device', { at: this.clock.now(), deviceId, kind });
  }
}
