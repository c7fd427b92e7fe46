// Pure rule arithmetic: comparing a reported value with a condition, the active time window, the timer schedule.
import type { RuleOperator, RuleTimeRange, TimerCondition } from '../contract/rules.js';

type Scalar = string | number;

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * Whether `actual` satisfies `operator` against `value` (and `value2` for between). Numbers compare as numbers
 * when both sides are numeric; otherwise as strings (ordering by code points). `changed` compares with `previous`.
 */
export function compareValue(
  operator: RuleOperator,
  actual: unknown,
  value: Scalar | undefined,
  value2?: Scalar,
  previous?: unknown,
): boolean {
  if (actual === undefined || actual === null) return false;
  if (operator === 'changed') return previous !== undefined && JSON.stringify(previous) !== JSON.stringify(actual);
  if (value === undefined) return false;
  if (operator === 'contains') {
    const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
    return text.includes(String(value));
  }
  const a = asNumber(actual);
  const b = asNumber(value);
  if (operator === 'between') {
    const c = asNumber(value2);
    if (a !== undefined && b !== undefined && c !== undefined) return a >= b && a <= c;
    if (value2 === undefined) return false;
    const s = typeof actual === 'string' ? actual : JSON.stringify(actual);
    return s >= String(value) && s <= String(value2);
  }
  const numeric = a !== undefined && b !== undefined;
  const l: Scalar = numeric ? a : typeof actual === 'string' ? actual : JSON.stringify(actual);
  const r: Scalar = numeric ? b : String(value);
  switch (operator) {
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '==':
      return l === r;
    case '!=':
      return l !== r;
  }
}

/**
 * `compareValue` for one condition, with its threshold read once: a finite number compared with a numeric threshold
 * (the usual report) takes a short path; anything else goes the long way, with the same answer.
 */
export function comparatorFor(
  operator: RuleOperator,
  value: Scalar | undefined,
  value2?: Scalar,
): (actual: unknown, previous: unknown) => boolean {
  const slow = (actual: unknown, previous: unknown) => compareValue(operator, actual, value, value2, previous);
  const b = asNumber(value);
  if (b === undefined) return slow;
  const fast = (test: (a: number) => boolean) => (actual: unknown, previous: unknown) =>
    typeof actual === 'number' && Number.isFinite(actual) ? test(actual) : slow(actual, previous);
  switch (operator) {
    case '>':
      return fast((a) => a > b);
    case '>=':
      return fast((a) => a >= b);
    case '<':
      return fast((a) => a < b);
    case '<=':
      return fast((a) => a <= b);
    case '==':
      return fast((a) => a === b);
    case '!=':
      return fast((a) => a !== b);
    default:
      return slow;
  }
}

const weekdays: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timezone: string): { day: number; minutes: number } | undefined {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return undefined;
    }
    formatters.set(timezone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const day = weekdays[parts.weekday ?? ''];
  if (day === undefined) return undefined;
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

export function isValidTimezone(timezone: string): boolean {
  return localParts(0, timezone) !== undefined;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a rule with this window is active at `ms`. A window whose end is before its start runs past midnight; its
 * after-midnight part belongs to the day it started on. No window: always active.
 */
export function inTimeRange(range: RuleTimeRange | undefined, ms: number): boolean {
  if (!range) return true;
  const local = localParts(ms, range.timezone);
  if (!local) return false;
  const start = minutesOf(range.startTime);
  const end = minutesOf(range.endTime);
  if (start <= end) return range.daysOfWeek.includes(local.day) && local.minutes >= start && local.minutes <= end;
  if (local.minutes >= start) return range.daysOfWeek.includes(local.day);
  const previousDay = local.day === 1 ? 7 : local.day - 1;
  return local.minutes <= end && range.daysOfWeek.includes(previousDay);
}

/** The timer's firing times at or after `from` that are still due (start, start + every, … `repeat` times). */
export function nextTimerFiring(timer: TimerCondition, from: number): { at: number; index: number } | undefined {
  const start = Date.parse(timer.startTime);
  const every = timer.everyMinutes * 60_000;
  const index = from <= start ? 0 : Math.ceil((from - start) / every);
  if (index >= timer.repeat) return undefined;
  return { at: start + index * every, index };
}
