import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonPath, parsePath } from '../../../renderer/features/products/jsonLocator.js';

const text = JSON.stringify(
  { services: [{ serviceId: 'Battery', properties: [{ name: 'level', min: 0, max: -5 }] }], customTopics: [] },
  null,
  2,
);
const at = (path: string) => {
  const span = locateJsonPath(text, path);
  return span && text.slice(span.start, span.end);
};

describe('JSON path locator for inline markers', () => {
  it('parses paths with indexes', () => {
    expect(parsePath('services[0].properties[12].max')).toEqual(['services', 0, 'properties', 12, 'max']);
  });

  it('finds scalar values by path', () => {
    expect(at('services[0].properties[0].max')).toBe('-5');
    expect(at('services[0].serviceId')).toBe('"Battery"');
  });

  it('marks containers on their key', () => {
    expect(at('services[0].properties')).toBe('"properties"');
  });

  it('marks a missing key on the object that lacks it', () => {
    expect(at('services[0].properties[0].enumList')).toBe('{');
  });

  it('returns undefined for text that is not JSON, never throws', () => {
    expect(locateJsonPath('{"a": ', 'a')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), fc.string(), (garbage, path) => {
        locateJsonPath(garbage, path);
      }),
    );
  });
});
