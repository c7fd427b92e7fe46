// React hooks over the live-events client: subscribe to a topic, watch the connection status.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { BusTopic } from '../../core/contract/index.js';
import { useEventsClient } from './ApiProvider.js';
import type { BusEventsListener, EventsStatus } from './events.js';

/** Calls `onEvents` once per animation frame with the events of `topic` that arrived since the last frame. */
export function useBusEvents<K extends BusTopic>(topic: K, onEvents: BusEventsListener<K>): void {
  const events = useEventsClient();
  const latest = useRef(onEvents);
  useEffect(() => {
    latest.current = onEvents;
  });
  useEffect(() => events.subscribe(topic, (batch) => latest.current(batch)), [events, topic]);
}

export function useEventsStatus(): EventsStatus {
  const events = useEventsClient();
  return useSyncExternalStore(
    (notify) => events.onStatus(notify),
    () => events.status,
  );
}
