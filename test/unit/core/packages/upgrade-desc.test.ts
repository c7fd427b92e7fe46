import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceVersionAllowed, wildcardMatches } from '../../../../core/ota/packages/source-versions.js';
import { parseUpgradeDesc } from '../../../../core/ota/packages/package-builder.js';
import { dateProblem, sourceVersionListProblem } from '../../../../core/contract/packages.js';

const valid = {
  specVersion: '1.0',
  fileName: 'app.bin',
  packageType: 'softwarePackage',
  version: 'V1.0.10',
  deviceType: 'WaterMeter',
  manufacturerName: 'HZYB',
  model: 'NBIoTDevice',
  protocolType: 'CoAP',
  date: '2024-02-29',
};

describe('source-version matching', () => {
  it('matches * as any run, ? as one character, ; as alternatives', () => {
    expect(sourceVersionAllowed('V1.*', 'V1.0.3')).toBe(true);
    expect(sourceVersionAllowed('V1.*', 'V2.0')).toBe(false);
    expect(sourceVersionAllowed('V1.?', 'V1.5')).toBe(true);
    expect(sourceVersionAllowed('V1.?', 'V1.10')).toBe(false);
    expect(sourceVersionAllowed('V1.*;V2.0', 'V2.0')).toBe(true);
    expect(sourceVersionAllowed('V1.*;V2.0', 'V2.01')).toBe(false);
    expect(sourceVersionAllowed('*', '')).toBe(true);
    expect(sourceVersionAllowed('', 'anything')).toBe(true);
    expect(sourceVersionAllowed(undefined, 'x')).toBe(true);
  });
  it('treats regex characters literally', () => {
    expect(wildcardMatches('V1.0', 'V1x0')).toBe(false);
    expect(wildcardMatches('a+b', 'a+b')).toBe(true);
  });
  it('agrees with a reference regex on random input, without blowing up', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?]{0,12}$/), fc.stringMatching(/^[ab]{0,20}$/), (pattern, text) => {
        const regex = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
        expect(wildcardMatches(pattern, text)).toBe(regex.test(text));
      }),
    );
    expect(wildcardMatches('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });
});

describe('UpgradeDesc validation', () => {
  it('accepts a complete description and applies the defaults', () => {
    expect(parseUpgradeDesc(valid)).toMatchObject({ deviceShard: 500, platform: 'linux' });
  });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['version over 16 bytes', { version: 'V1.0.10-abcdefghij' }, /version: the version must be at most 16 bytes/],
    ['version of 16 bytes in UTF-8 counting multibyte', { version: '版本版本版本' }, /at most 16 bytes/],
    ['shard below 32', { deviceShard: 31 }, /deviceShard: deviceShard must be at least 32/],
    ['shard above 500', { deviceShard: 501 }, /at most 500/],
    ['check code of 3', { versionCheckCode: 'AB1' }, /versionCheckCode: versionCheckCode must be exactly 4/],
    ['date not a date', { date: '2023-02-29' }, /date: 2023-02-29 is not a calendar date/],
    ['date format', { date: '2024/01/01' }, /yyyy-MM-dd/],
    ['wildcard list', { supportSourceVersionList: 'V1.*;;V2' }, /item 2 is empty/],
    ['wildcard chars', { supportSourceVersionList: 'V1 .0' }, /may only use letters/],
    ['protocol', { protocolType: 'HTTP' }, /protocolType must be CoAP, LWM2M or MQTT/],
    ['spec version', { specVersion: '2.0' }, /specVersion must be "1.0"/],
  ];
  for (const [what, change, message] of cases) {
    it(`names the field: ${what}`, () => {
      expect(() => parseUpgradeDesc({ ...valid, ...change })).toThrow(message);
    });
  }
  it('accepts exactly 16 bytes', () => {
    expect(parseUpgradeDesc({ ...valid, version: 'V1234567890abcde' }).version).toHaveLength(16);
  });
  it('checks dates and lists as pure functions', () => {
    expect(dateProblem('2024-12-31')).toBeUndefined();
    expect(sourceVersionListProblem('V1.*;V2.0')).toBeUndefined();
    expect(sourceVersionListProblem(';')).toContain('item 1 is empty');
  });
});
