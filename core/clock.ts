// The one clock every timer in the core goes through, so tests move time instead of waiting.
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

interface ScheduledTimer {
  id: number;
  due: number;
  every: number | null;
  fn: () => void;
}

export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void;
  set(epochMs: number): void;
  pendingTimers(): number;
}

export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let current = startMs;
  let nextId = 1;
  const timers = new Map<number, ScheduledTimer>();

  const schedule = (fn: () => void, ms: number, every: number | null): TimerHandle => {
    const id = nextId++;
    timers.set(id, { id, due: current + Math.max(0, ms), every, fn });
    return { cancel: () => timers.delete(id) };
  };

  const runDue = (until: number): void => {
    for (;;) {
      let earliest: ScheduledTimer | undefined;
      for (const t of timers.values()) {
        if (t.due <= until && (!earliest || t.due < earliest.due)) earliest = t;
      }
      if (!earliest) break;
      current = Math.max(current, earliest.due);
      if (earliest.every === null) timers.delete(earliest.id);
      else earliest.due += Math.max(1, earliest.every);
      earliest.fn();
    }
    current = until;
  };

  return {
    now: () => current,
    setTimeout: (fn, ms) => schedule(fn, ms, null),
    setInterval: (fn, ms) => schedule(fn, ms, ms),
    advance: (ms) => runDue(current + ms),
    set: (epochMs) => runDue(epochMs),
    pendingTimers: () => timers.size,
  };
}
