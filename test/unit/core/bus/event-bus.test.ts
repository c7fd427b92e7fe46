import { describe, expect, it, vi } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';

const deviceEvent = { at: 1, deviceId: 'p_1', kind: 'online' as const };

describe('event bus', () => {
  it('delivers an event to the listeners of its topic only', () => {
    const bus = createEventBus(() => undefined);
    const onDevice = vi.fn();
    const onTask = vi.fn();
    bus.subscribe('device', onDevice);
    bus.subscribe('task', onTask);
    bus.publish('device', deviceEvent);
    expect(onDevice).toHaveBeenCalledWith(deviceEvent);
    expect(onTask).not.toHaveBeenCalled();
  });

  it('tags events for subscribers of every topic', () => {
    const bus = createEventBus(() => undefined);
    const all = vi.fn();
    bus.subscribeAll(all);
    bus.publish('device', deviceEvent);
    expect(all).toHaveBeenCalledWith({ topic: 'device', event: deviceEvent });
  });

  it('knows whether a topic has listeners, through the topics a stream listener keeps', () => {
    const bus = createEventBus(() => undefined);
    expect(bus.hasListeners('traffic')).toBe(false);
    const wanted = new Set(['device']);
    const off = bus.subscribeAll(vi.fn(), (topic) => wanted.has(topic));
    expect(bus.hasListeners('traffic')).toBe(false);
    expect(bus.hasListeners('device')).toBe(true);
    wanted.add('traffic');
    expect(bus.hasListeners('traffic')).toBe(true);
    off();
    expect(bus.hasListeners('device')).toBe(false);
    const offTask = bus.subscribe('task', vi.fn());
    expect(bus.hasListeners('task')).toBe(true);
    offTask();
    expect(bus.hasListeners('task')).toBe(false);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = createEventBus(() => undefined);
    const listener = vi.fn();
    const off = bus.subscribe('device', listener);
    off();
    bus.publish('device', deviceEvent);
    expect(listener).not.toHaveBeenCalled();
  });

  it('keeps delivering to others when one listener throws, and reports the failure', () => {
    const failures: string[] = [];
    const bus = createEventBus((topic) => failures.push(topic));
    const good = vi.fn();
    bus.subscribe('device', () => {
      throw new Error('boom');
    });
    bus.subscribe('device', good);
    expect(() => bus.publish('device', deviceEvent)).not.toThrow();
    expect(good).toHaveBeenCalled();
    expect(failures).toEqual(['device']);
  });
});
