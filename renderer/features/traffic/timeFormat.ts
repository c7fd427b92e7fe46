// Time columns of the traffic list: absolute wall-clock time with microseconds, or seconds since a reference frame.

export type TimeMode = 'absolute' | 'relative';

export function formatAbsolute(timeUs: number): string {
  const d = new Date(Math.floor(timeUs / 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.floor(timeUs % 1_000_000), 6)}`;
}

export function formatSeconds(us: number): string {
  return (us / 1_000_000).toFixed(6);
}

export function formatTime(timeUs: number, mode: TimeMode, referenceUs: number): string {
  return mode === 'absolute' ? formatAbsolute(timeUs) : formatSeconds(timeUs - referenceUs);
}
