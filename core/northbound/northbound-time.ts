// The northbound API's time format: UTC `yyyyMMdd'T'HHmmss'Z'` (§1.1), e.g. `20151212T121212Z`.
import { parseEventTime } from '../data/index.js';

export function formatNorthboundTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Parses a query time; undefined when absent, an error message when malformed. */
export function parseNorthboundTime(value: string | undefined): number | undefined | { error: string } {
  if (value === undefined || value === '') return undefined;
  return parseEventTime(value) ?? { error: `${value} is not a UTC time like 20151212T121212Z` };
}
