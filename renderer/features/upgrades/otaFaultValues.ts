// The upgrade-fault form's values as the simulator's SimOtaFaults, and which devices of a fleet a share picks.
import type { SimOtaFaults } from '../../../core/contract/index.js';

export const faultSwitches = ['alreadyLatest', 'busy', 'lowBattery', 'checkFailed', 'installFailed'] as const;
export type FaultSwitch = (typeof faultSwitches)[number];

/** Radio presets: RSRP and SINR inside each level's band of, or a /4/0 read that fails. */
export const coverageChoices = ['keep', '0', '1', '2', 'queryFails'] as const;
export type CoverageChoice = (typeof coverageChoices)[number];

const radioOf: Record<Exclude<CoverageChoice, 'keep' | 'queryFails'>, { rsrpDbm: number; sinrDb: number }> = {
  '0': { rsrpDbm: -80, sinrDb: 15 },
  '1': { rsrpDbm: -110, sinrDb: 2 },
  '2': { rsrpDbm: -120, sinrDb: -5 },
};

export const cellChoices = ['keep', 'set', 'unknown'] as const;
export type CellChoice = (typeof cellChoices)[number];

export interface FaultFormValues {
  switches: Readonly<Record<FaultSwitch, boolean>>;
  /** Empty: no shard dropped. */
  dropShard: number | '';
  offlineAtShard: number | '';
  coverage: CoverageChoice;
  cell: CellChoice;
  cellId: number | '';
}

export const emptyFaultForm: FaultFormValues = {
  switches: { alreadyLatest: false, busy: false, lowBattery: false, checkFailed: false, installFailed: false },
  dropShard: '',
  offlineAtShard: '',
  coverage: 'keep',
  cell: 'keep',
  cellId: '',
};

/** The faults the form asks for; fields left as they are stay out (the simulator then keeps its own radio). */
export function faultsOf(form: FaultFormValues): SimOtaFaults {
  const faults: SimOtaFaults = {};
  for (const key of faultSwitches) if (form.switches[key]) faults[key] = true;
  if (form.dropShard !== '') faults.dropShard = form.dropShard;
  if (form.offlineAtShard !== '') faults.offlineAtShard = form.offlineAtShard;
  if (form.coverage === 'queryFails') faults.rsrpDbm = null;
  else if (form.coverage !== 'keep') Object.assign(faults, radioOf[form.coverage]);
  if (form.cell === 'unknown') faults.cellId = null;
  else if (form.cell === 'set' && form.cellId !== '') faults.cellId = form.cellId;
  return faults;
}

export interface ShareRange {
  /** Index of the first device picked (0-based, in fleet order). */
  first: number;
  /** How many devices are picked (consecutive, from `first`, never past the fleet's end). */
  count: number;
}

/** A share (0–1) of a fleet of `total` devices from position `first`, rounded as the fleet's own fault groups are. */
export function shareRange(total: number, share: number, first: number): ShareRange {
  const start = Math.min(Math.max(0, Math.floor(first)), total);
  const wanted = Math.round(Math.min(Math.max(share, 0), 1) * total);
  return { first: start, count: Math.min(wanted, total - start) };
}
