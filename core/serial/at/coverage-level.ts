// NB-IoT coverage level from RSRP and SINR: the weaker of the two levels; out of range counts as 2.
export type CoverageLevel = 0 | 1 | 2;

export function coverageLevel(rsrpDbm: number, sinrDb: number): CoverageLevel {
  const byRsrp: CoverageLevel = rsrpDbm >= -105 ? 0 : rsrpDbm >= -115 ? 1 : 2;
  const bySinr: CoverageLevel = sinrDb >= 7 ? 0 : sinrDb >= -3 ? 1 : 2;
  return Math.max(byRsrp, bySinr) as CoverageLevel;
}
