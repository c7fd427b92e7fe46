// Number of connected devices: the count from GET /api/platform, moved by live `device` online/offline events.
import { useState } from 'react';
import { usePlatformInfo } from '../api/platformQueries.js';
import { useBusEvents } from '../api/useBusEvents.js';

export function useConnectedDevices(): number | undefined {
  const { data, dataUpdatedAt } = usePlatformInfo();
  // The adjustment belongs to one snapshot of the platform info; a refetch starts again from the core's count.
  const [adjustment, setAdjustment] = useState({ snapshot: 0, delta: 0 });

  useBusEvents('device', (events) => {
    let delta = 0;
    for (const event of events) {
      if (event.kind === 'online') delta += 1;
      else if (event.kind === 'offline') delta -= 1;
    }
    if (delta === 0) return;
    setAdjustment((previous) => ({
      snapshot: dataUpdatedAt,
      delta: (previous.snapshot === dataUpdatedAt ? previous.delta : 0) + delta,
    }));
  });

  if (!data) return undefined;
  const delta = adjustment.snapshot === dataUpdatedAt ? adjustment.delta : 0;
  return Math.max(0, data.connectedDevices + delta);
}
