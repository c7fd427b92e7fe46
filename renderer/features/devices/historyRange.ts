// Time ranges of the history view and the chart's points, as pure functions of the stored items.
import type { HistoryItem } from '../../../core/contract/index.js';

export interface ChartSeries {
  /** Epoch milliseconds, ascending. */
  times: number[];
  values: number[];
}

export const rangePresets = ['1h', '24h', '7d', 'all', 'custom'] as const;
export type RangePreset = (typeof rangePresets)[number];

const presetMs: Record<Exclude<RangePreset, 'all' | 'custom'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

/**
 * The event-time window for a preset. `now` is rounded down to the minute so the window (a query key) stays
 * the same between refreshes; the upper end is open so values arriving later still show.
 */
export function rangeWindow(
  preset: RangePreset,
  now: number,
  custom: { from?: string; to?: string } = {},
): { from?: string; to?: string } {
  if (preset === 'all') return {};
  if (preset === 'custom') {
    const from = toIso(custom.from);
    const to = toIso(custom.to);
    return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  const minute = Math.floor(now / 60_000) * 60_000;
  return { from: new Date(minute - presetMs[preset]).toISOString() };
}

/** A `datetime-local` value (local time, no zone) as ISO UTC; undefined when empty or invalid. */
export function toIso(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Numeric values of the items, oldest first (the API pages newest first); other values are left out. */
export function numericSeries(items: readonly HistoryItem[]): ChartSeries & { skipped: number } {
  const points: [number, number][] = [];
  let skipped = 0;
  for (const item of items) {
    const t = Date.parse(item.eventTime);
    const v = typeof item.value === 'boolean' ? Number(item.value) : item.value;
    if (typeof v === 'number' && Number.isFinite(v) && Number.isFinite(t)) points.push([t, v]);
    else skipped++;
  }
  points.sort((a, b) => a[0] - b[0]);
  return { times: points.map((p) => p[0]), values: points.map((p) => p[1]), skipped };
}
