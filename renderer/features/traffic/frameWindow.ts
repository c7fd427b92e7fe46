// The live view's own bounded window of frame rows: appends batches, drops the oldest past the limit, counts what it did not show.
import type { TrafficFrameSummary } from '../../../core/contract/index.js';

export interface FrameWindow {
  rows: TrafficFrameSummary[];
  /** Frames that arrived while paused (fetched again on resume). */
  notShownPaused: number;
  /** Frames pushed out of the window, or never summarised by the core during a flood. */
  notShownOverLimit: number;
}

export const emptyWindow: FrameWindow = { rows: [], notShownPaused: 0, notShownOverLimit: 0 };

export function appendToWindow(w: FrameWindow, frames: TrafficFrameSummary[], limit: number, skipped = 0): FrameWindow {
  const last = w.rows.at(-1)?.seq ?? 0;
  const fresh = frames.filter((f) => f.seq > last);
  if (fresh.length === 0 && skipped === 0) return w;
  const all = w.rows.concat(fresh);
  const over = Math.max(0, all.length - limit);
  return {
    ...w,
    rows: over ? all.slice(over) : all,
    notShownOverLimit: w.notShownOverLimit + over + skipped,
  };
}
