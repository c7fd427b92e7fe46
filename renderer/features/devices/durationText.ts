// A duration as the two largest units ("3 h 12 min"), translated.
import type { TFunction } from 'i18next';

const units = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
] as const;

export function durationParts(ms: number): { unit: (typeof units)[number][0]; count: number }[] {
  let left = Math.max(0, Math.floor(ms));
  const parts: { unit: (typeof units)[number][0]; count: number }[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0 || (parts.length === 0 && unit === 's')) parts.push({ unit, count });
    if (parts.length === 2) break;
  }
  // A part after a gap ("1 d 0 h 5 min") would mislead: keep only adjacent units.
  const first = parts[0];
  const second = parts[1];
  if (first && second && units.findIndex((u) => u[0] === second.unit) - units.findIndex((u) => u[0] === first.unit) > 1)
    return [first];
  return parts;
}

export function durationText(ms: number, t: TFunction): string {
  return durationParts(ms)
    .map((p) => t(`devices.duration.${p.unit}`, { count: p.count }))
    .join(' ');
}
