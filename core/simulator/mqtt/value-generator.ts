// Values a virtual device reports, generated from the product model's property types, ranges, steps and enums.
import type { Field, ProductModel } from '../../contract/product-model.js';

/** A source of numbers in [0, 1): Math.random in use, a seeded one in tests. */
export type Random = () => number;

const DEFAULT_RANGE = { int: [0, 100], decimal: [0, 100] } as const;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

function compactUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function range(field: Field, fallback: readonly [number, number]): [number, number] {
  const min = field.min ?? fallback[0];
  const max = field.max ?? Math.max(min, fallback[1]);
  return min <= max ? [min, max] : [max, min];
}

/** One value of the field's type inside its declared limits. */
export function generateValue(field: Field, random: Random, nowMs: number): unknown {
  if (field.enumList && field.enumList.length > 0 && field.dataType !== 'boolean')
    return field.enumList[Math.floor(random() * field.enumList.length)];
  switch (field.dataType) {
    case 'int':
    case 'long': {
      const [min, max] = range(field, DEFAULT_RANGE.int);
      const lo = Math.ceil(min);
      const hi = Math.floor(max);
      if (hi < lo) return lo;
      const step = field.step && field.step >= 1 ? Math.floor(field.step) : 1;
      const steps = Math.floor((hi - lo) / step);
      return lo + Math.floor(random() * (steps + 1)) * step;
    }
    case 'decimal': {
      const [min, max] = range(field, DEFAULT_RANGE.decimal);
      const raw = min + random() * (max - min);
      if (!field.step) return Math.round(raw * 100) / 100;
      const decimals = Math.min(10, Math.max(0, -Math.floor(Math.log10(field.step))));
      const factor = 10 ** decimals;
      // The rounded grid points that still lie inside the range; a range narrower than the precision gives min.
      const lo = Math.ceil(min * factor - 1e-9) / factor;
      const hi = Math.floor(max * factor + 1e-9) / factor;
      if (hi < lo) return min;
      const stepped = Number((min + Math.round((raw - min) / field.step) * field.step).toFixed(decimals));
      return Math.min(hi, Math.max(lo, stepped));
    }
    case 'boolean':
      return random() < 0.5;
    case 'DateTime':
      return compactUtc(nowMs);
    case 'jsonObject':
      return { seq: Math.floor(random() * 1000) };
    case 'string list':
      return [randomText(field, random)];
    case 'binary':
      return Buffer.from(randomText({ ...field, maxLength: Math.min(field.maxLength ?? 8, 8) }, random)).toString(
        'base64',
      );
    case 'enum':
    case 'string':
      return randomText(field, random);
  }
}

function randomText(field: Field, random: Random): string {
  const length = Math.max(1, Math.min(field.maxLength ?? 8, 8));
  let text = '';
  for (let i = 0; i < length; i++) text += LETTERS[Math.floor(random() * LETTERS.length)];
  return text;
}

export interface GeneratedService {
  serviceId: string;
  properties: Record<string, unknown>;
}

/** One report: every service with readable properties (access R), each property a fresh value. */
export function generateReport(model: ProductModel, random: Random, nowMs: number): GeneratedService[] {
  const services: GeneratedService[] = [];
  for (const service of model.services) {
    const readable = service.properties.filter((p) => p.method.includes('R'));
    if (readable.length === 0) continue;
    const properties: Record<string, unknown> = {};
    for (const p of readable) properties[p.name] = generateValue(p, random, nowMs);
    services.push({ serviceId: service.serviceId, properties });
  }
  return services;
}
