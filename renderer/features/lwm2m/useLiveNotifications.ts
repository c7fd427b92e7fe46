// The device's live LwM2M notifications from the event stream, kept in a bounded ring (newest first).
import { useState } from 'react';
import type { Lwm2mValueEvent } from '../../../core/contract/index.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { appendNotifications, type LiveNotification } from './liveNotifications.js';

export function useLiveNotifications(
  deviceId: string,
  onBatch?: (events: Lwm2mValueEvent[]) => void,
): readonly LiveNotification[] {
  const [items, setItems] = useState<readonly LiveNotification[]>([]);
  useBusEvents('lwm2mValue', (batch) => {
    setItems((current) => appendNotifications(current, batch, deviceId));
    const mine = batch.filter((e) => e.deviceId === deviceId);
    if (mine.length) onBatch?.(mine);
  });
  return items;
}
