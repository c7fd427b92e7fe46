// Upgrade faults for a fleet of simulated devices (LwM2M or MQTT): groups take consecutive devices, `count` of them
// or a `share` of the fleet, in the order given.
import type { SimOtaFaults } from '../contract/simulator-lwm2m.js';

export interface OtaFaultGroup {
  count?: number | undefined;
  share?: number | undefined;
  faults: SimOtaFaults;
}

/** Each device's upgrade faults, by its index in the fleet. */
export function faultGroups(groups: readonly OtaFaultGroup[], total: number): (SimOtaFaults | undefined)[] {
  const out: (SimOtaFaults | undefined)[] = new Array<SimOtaFaults | undefined>(total).fill(undefined);
  let next = 0;
  for (const g of groups) {
    const n = g.count ?? Math.round((g.share ?? 0) * total);
    for (let i = 0; i < n && next < total; i++) out[next++] = g.faults;
  }
  return out;
}
