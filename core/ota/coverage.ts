// a device's coverage level from RSRP and SINR, and how many devices of one cell may upgrade at once.
import type { CoverageLevel } from '../contract/ota.js';

/** Level 0 needs both RSRP and SINR in its band; anything weaker, in range or not, counts as level 2. */
export function coverageLevelOf(rsrpDbm: number, sinrDb: number): Exclude<CoverageLevel, 'unknown'> {
  if (rsrpDbm >= -105 && sinrDb >= 7) return '0';
  // The weaker of the two measures decides (a strong RSRP with a level-1 SINR is level 1).
  if (rsrpDbm >= -115 && sinrDb >= -3) return '1';
  return '2';
}

const limits: Record<CoverageLevel, number> = { '0': 50, '1': 10, '2': 1, unknown: 10 };

export function coverageLimit(level: CoverageLevel): number {
  return limits[level];
}

/** Mixed levels in a cell use the weaker one; a failed coverage query (`unknown`, 10) is weaker than level 0. */
export function weakerLevel(a: CoverageLevel, b: CoverageLevel): CoverageLevel {
  return coverageLimit(a) <= coverageLimit(b) ? a : b;
}
