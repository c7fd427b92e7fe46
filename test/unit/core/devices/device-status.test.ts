// The status engine's answer to a device that says it is leaving: offline at once, published for the timeline.
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../core/clock.js';
import type { DeviceStatus } from '../../../../core/contract/devices.js';
import type { DeviceRegistry } from '../../../../core/devices/device-registry.js';
import { DeviceStatusEngine } from '../../../../core/devices/device-status.js';

function engine(status: DeviceStatus) {
  const device = { deviceId: 'd1', status };
  const registry = {
    get: (id: string) => (id === 'd1' ? device : undefined),
    setStatus: (_id: string, s: DeviceStatus) => (device.status = s),
  } as unknown as DeviceRegistry;
  const bus = createEventBus(() => {});
  const published: string[] = [];
  bus.subscribe('device', (e) => published.push(`${e.kind} ${e.deviceId} ${e.at}`));
  const clock = createManualClock(1_000);
  return { device, published, engine: new DeviceStatusEngine(registry, clock, bus) };
}

describe('DeviceStatusEngine.left', () => {
  it('puts an online device offline now and publishes the transition', () => {
    const { device, published, engine: e } = engine('online');
    e.left('d1');
    expect(device.status).toBe('offline');
    expect(published).toEqual(['offline d1 1000']);
  });

  it('leaves a device that is not online (or not known) as it is', () => {
    const { device, published, engine: e } = engine('abnormal');
    e.left('d1');
    e.left('nobody');
    expect(device.status).toBe('abnormal');
    expect(published).toEqual([]);
  });
});
