// Structural difference of two JSON values, as the paths where they disagree (for sample pass/fail).
import type { SampleDiff } from '../contract/codecs.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function jsonDiff(expected: unknown, actual: unknown, path = '$', out: SampleDiff[] = []): SampleDiff[] {
  if (out.length >= 50) return out;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) jsonDiff(expected[i], actual[i], `${path}[${i}]`, out);
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of [...keys].sort()) jsonDiff(expected[k], actual[k], `${path}.${k}`, out);
    return out;
  }
  if (!Object.is(expected, actual)) out.push({ path, expected, actual });
  return out;
}
