// The radio of ota.bench.ts's NB-IoT fleet: cells of each coverage level, two of them mixed, one whose coverage
// query fails, as `iotwb simulate --ota-fault` flags (each flag takes the next devices of the fleet).
import type { CoverageLevel } from '../../core/contract/index.js';

/** RSRP and SINR well inside each level's band of. */
const radio: Record<Exclude<CoverageLevel, 'unknown'>, string> = {
  '0': 'rsrp=-80,sinr=15',
  '1': 'rsrp=-110,sinr=2',
  '2': 'rsrp=-120,sinr=-5',
};

export interface PlannedCell {
  cellId: string;
  /** The level the cell must be reported at: the weakest of its devices (R-14.3 "mixed levels use the weaker"). */
  level: CoverageLevel;
  limit: number;
  devices: number;
}

export interface PlannedGroup {
  cellId: string;
  /** The level of each of these devices' own radio. */
  level: CoverageLevel;
  count: number;
}

export interface CellPlan {
  flags: string[];
  /** In fleet order: the first `count` devices are the first group's, and so on. */
  groups: PlannedGroup[];
  cells: PlannedCell[];
}

const limits: Record<CoverageLevel, number> = { '0': 50, '1': 10, '2': 1, unknown: 10 };

/** `devices` meters (at least 20): most in four level-0 cells, the rest in level-1, mixed and failing cells. */
export function cellPlan(devices: number): CellPlan {
  const level1 = Math.max(1, Math.round(devices * 0.12));
  const mixedStrong = Math.max(1, Math.round(devices * 0.06));
  const mixedWeak = Math.max(1, Math.round(devices * 0.01));
  const fixed = level1 + mixedStrong + mixedWeak + 2 + 3 + 5;
  const perStrongCell = Math.floor((devices - fixed) / 4);
  if (perStrongCell < 1) throw new Error(`the OTA bench needs at least 20 devices, not ${devices}`);
  const strong = [perStrongCell, perStrongCell, perStrongCell, devices - fixed - 3 * perStrongCell];
  const groups: (PlannedGroup & { radio: string })[] = [
    ...strong.map((count, i) => ({ cellId: String(2001 + i), radio: radio['0'], level: '0' as const, count })),
    { cellId: '3001', radio: radio['1'], level: '1', count: level1 },
    // Mixed cells: their strong devices come first in the fleet, the weak ones after.
    { cellId: '3004', radio: radio['0'], level: '0', count: mixedStrong },
    { cellId: '3004', radio: radio['1'], level: '1', count: mixedWeak },
    { cellId: '3002', radio: radio['0'], level: '0', count: 2 },
    { cellId: '3002', radio: radio['2'], level: '2', count: 3 },
    // The /4/0 read fails but the cell id is known: 10 at once.
    { cellId: '3003', radio: 'rsrp=unknown', level: 'unknown', count: 5 },
  ];
  const cells = new Map<string, PlannedCell>();
  for (const g of groups) {
    const cell = cells.get(g.cellId) ?? { cellId: g.cellId, level: g.level, limit: limits[g.level], devices: 0 };
    if (limits[g.level] < cell.limit) Object.assign(cell, { level: g.level, limit: limits[g.level] });
    cell.devices += g.count;
    cells.set(g.cellId, cell);
  }
  return {
    flags: groups.map((g) => `--ota-fault=${g.radio},cell=${g.cellId}@${g.count}`),
    groups: groups.map(({ cellId, level, count }) => ({ cellId, level, count })),
    cells: [...cells.values()],
  };
}
