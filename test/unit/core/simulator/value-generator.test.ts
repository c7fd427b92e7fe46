// Generated report values stay inside the product model's types, ranges, steps and enums.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Field, ProductModel } from '../../../../core/contract/product-model.js';
import { generateReport, generateValue } from '../../../../core/simulator/mqtt/value-generator.js';

const NOW = Date.UTC(2026, 10, 26, 8, 30, 0);
const field = (f: Partial<Field> & Pick<Field, 'dataType'>): Field => ({ name: 'p', required: false, ...f });

describe('generateValue', () => {
  it('keeps int values whole and inside min..max on the step grid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (min, span, step, r) => {
          const v = generateValue(field({ dataType: 'int', min, max: min + span, step }), () => r, NOW) as number;
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(min + span);
          expect((v - min) % step).toBe(0);
        },
      ),
    );
  });

  it('keeps decimal values inside min..max with no more digits than the step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.constantFrom(0.1, 0.01, 0.5, 1),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (min, span, step, r) => {
          const v = generateValue(field({ dataType: 'decimal', min, max: min + span, step }), () => r, NOW) as number;
          expect(v).toBeGreaterThanOrEqual(min - 1e-9);
          expect(v).toBeLessThanOrEqual(min + span + 1e-9);
          const allowed = Math.max(0, -Math.floor(Math.log10(step)));
          const gridInside = Math.floor((min + span) * 10 ** allowed + 1e-9) >= Math.ceil(min * 10 ** allowed - 1e-9);
          if (gridInside) expect((String(v).split('.')[1] ?? '').length).toBeLessThanOrEqual(allowed);
        },
      ),
    );
  });

  it('picks from the enum list, respects maxLength, and formats DateTime like the platform', () => {
    expect(generateValue(field({ dataType: 'string', enumList: ['ON', 'OFF'] }), () => 0.99, NOW)).toBe('OFF');
    expect((generateValue(field({ dataType: 'string', maxLength: 3 }), Math.random, NOW) as string).length).toBe(3);
    expect(generateValue(field({ dataType: 'DateTime' }), Math.random, NOW)).toBe('20261126T083000Z');
    expect(typeof generateValue(field({ dataType: 'boolean' }), Math.random, NOW)).toBe('boolean');
  });

  it('never throws for any field the model schema allows', () => {
    const types = [
      'int',
      'long',
      'decimal',
      'string',
      'DateTime',
      'jsonObject',
      'enum',
      'boolean',
      'string list',
      'binary',
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.option(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { nil: undefined }),
        fc.option(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { nil: undefined }),
        fc.option(fc.double({ min: 0.001, max: 100, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        (dataType, min, max, step, maxLength) => {
          const value = generateValue(
            field({
              dataType,
              ...(min !== undefined ? { min } : {}),
              ...(max !== undefined ? { max } : {}),
              ...(step !== undefined ? { step } : {}),
              ...(maxLength !== undefined ? { maxLength } : {}),
            }),
            Math.random,
            NOW,
          );
          expect(value).not.toBeUndefined();
          if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
        },
      ),
    );
  });
});

describe('generateReport', () => {
  it('reports every service with readable properties and skips write-only ones', () => {
    const model: ProductModel = {
      deviceType: 'StreetLight',
      manufacturerId: 'M',
      manufacturerName: 'M',
      model: 'X',
      protocolType: 'MQTT',
      omCapability: {},
      customTopics: [],
      services: [
        {
          serviceId: 'Light',
          serviceType: 'Light',
          option: 'Master',
          commands: [],
          properties: [
            { ...field({ dataType: 'int', min: 0, max: 100 }), name: 'brightness', method: 'RWE' },
            { ...field({ dataType: 'string' }), name: 'secretKey', method: 'W' },
          ],
        },
        { serviceId: 'Empty', serviceType: 'Empty', option: 'Optional', commands: [], properties: [] },
      ],
    };
    const report = generateReport(model, () => 0.5, NOW);
    expect(report).toEqual([{ serviceId: 'Light', properties: { brightness: 50 } }]);
  });
});
