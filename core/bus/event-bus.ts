// Typed in-process event bus: capabilities publish frames, device, data, command, task and log events.
import type { BusEventMap, BusTopic, TaggedBusEvent } from '../contract/events.js';

type Listener<K extends BusTopic> = (event: BusEventMap[K]) => void;
type AnyListener = (tagged: TaggedBusEvent) => void;

export interface EventBus {
  publish<K extends BusTopic>(topic: K, event: BusEventMap[K]): void;
  subscribe<K extends BusTopic>(topic: K, listener: Listener<K>): () => void;
  /**
   * Every event on every topic, tagged with its topic (the WebSocket stream uses this). `wants` tells which topics
   * the listener actually keeps, so publishers can skip building events nobody reads.
   */
  subscribeAll(listener: AnyListener, wants?: (topic: BusTopic) => boolean): () => void;
  /** Whether anyone listens to a topic: for events that cost real work to build (live traffic summaries). */
  hasListeners(topic: BusTopic): boolean;
}

export function createEventBus(onListenerError: (topic: BusTopic, error: unknown) => void): EventBus {
  const listeners = new Map<BusTopic, Set<(event: never) => void>>();
  const allListeners = new Map<AnyListener, (topic: BusTopic) => boolean>();

  const guarded = (topic: BusTopic, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      // A faulty listener must not stop the publisher or the other listeners.
      if (topic !== 'log') onListenerError(topic, error);
    }
  };

  return {
    publish(topic, event) {
      const forTopic = listeners.get(topic);
      if (forTopic) for (const l of [...forTopic]) guarded(topic, () => (l as Listener<typeof topic>)(event));
      if (allListeners.size) {
        const tagged = { topic, event } as TaggedBusEvent;
        for (const l of [...allListeners.keys()]) guarded(topic, () => l(tagged));
      }
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    subscribeAll(listener, wants = () => true) {
      allListeners.set(listener, wants);
      return () => allListeners.delete(listener);
    },
    hasListeners(topic) {
      if (listeners.get(topic)?.size) return true;
      for (const wants of allListeners.values()) if (wants(topic)) return true;
      return false;
    },
  };
}
