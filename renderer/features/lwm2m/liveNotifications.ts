// A bounded ring of one device's live LwM2M notifications, newest first.
import type { Lwm2mValueEvent } from '../../../core/contract/index.js';

export const MAX_NOTIFICATIONS = 100;

export type LiveNotification = Lwm2mValueEvent & { key: number };

let nextKey = 1;

/** Keeps the newest `limit` events of one device, newest first. */
export function appendNotifications(
  current: readonly LiveNotification[],
  batch: readonly Lwm2mValueEvent[],
  deviceId: string,
  limit = MAX_NOTIFICATIONS,
): readonly LiveNotification[] {
  const mine = batch.filter((e) => e.deviceId === deviceId).map((e) => ({ ...e, key: nextKey++ }));
  if (mine.length === 0) return current;
  return [...mine.reverse(), ...current].slice(0, limit);
}
