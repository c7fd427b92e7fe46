import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readZip, unsafeNameReason, writeZip } from '../../../../core/archive/safe-zip.js';
import { rawZip } from './raw-zip.js';

const text = (s: string) => new TextEncoder().encode(s);

async function refusal(bytes: Uint8Array, limits = {}) {
  const result = await readZip(bytes, limits);
  if (result.ok) throw new Error('expected the zip to be refused');
  return result.error;
}

describe('safe zip reading', () => {
  it('reads back what writeZip wrote, byte for byte', async () => {
    const zip = await writeZip([
      ['profile/a.json', '{"a":1}'],
      ['service/X/b.bin', new Uint8Array([0, 1, 2, 255])],
    ]);
    const result = await readZip(zip);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.entries.keys()]).toEqual(['profile/a.json', 'service/X/b.bin']);
    expect(new TextDecoder().decode(result.entries.get('profile/a.json'))).toBe('{"a":1}');
    expect([...result.entries.get('service/X/b.bin')!]).toEqual([0, 1, 2, 255]);
  });

  it('writes the same bytes for the same files', async () => {
    const files: [string, string][] = [['a.json', '{}']];
    expect(Buffer.from(await writeZip(files)).equals(Buffer.from(await writeZip(files)))).toBe(true);
  });

  it('refuses random bytes with an error, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const result = await readZip(bytes);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every truncation of a valid zip', async () => {
    const zip = await writeZip([
      ['one.json', '{"value":"' + 'x'.repeat(300) + '"}'],
      ['two.json', '[]'],
    ]);
    for (let length = 0; length < zip.length; length += 7) {
      const result = await readZip(zip.subarray(0, length));
      expect(result.ok, `truncated at ${length}`).toBe(false);
    }
  });

  it('survives random corruption of a valid zip', async () => {
    const zip = await writeZip([['data.json', JSON.stringify({ values: Array.from({ length: 100 }, (_, i) => i) })]]);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: zip.length - 1 }), fc.integer({ min: 0, max: 255 }), async (at, value) => {
        const copy = new Uint8Array(zip);
        copy[at] = value;
        const result = await readZip(copy);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a zip bomb by its compression ratio before inflating it', async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const bomb = await writeZip([['bomb.json', zeros]]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const error = await refusal(bomb, { maxEntryBytes: 64 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 });
    expect(error.code).toBe('ZIP_RATIO_TOO_HIGH');
    expect(error.file).toBe('bomb.json');
  });

  it('refuses an entry larger than the per-entry limit', async () => {
    const error = await refusal(await writeZip([['big.bin', new Uint8Array(300_000)]]), { maxEntryBytes: 100_000 });
    expect(error.code).toBe('ZIP_ENTRY_TOO_LARGE');
  });

  it('refuses files that together exceed the total limit', async () => {
    const random = () => Uint8Array.from({ length: 40_000 }, () => Math.floor(Math.random() * 256));
    const zip = await writeZip([
      ['a.bin', random()],
      ['b.bin', random()],
      ['c.bin', random()],
    ]);
    expect((await refusal(zip, { maxTotalBytes: 100_000 })).code).toBe('ZIP_TOTAL_TOO_LARGE');
  });

  it('refuses an entry whose header lies about its size', async () => {
    const lying = rawZip([{ name: 'small.json', data: new Uint8Array(5_000_000), method: 8, declaredSize: 10 }]);
    const error = await refusal(lying);
    expect(['ZIP_INVALID', 'ZIP_ENTRY_TOO_LARGE']).toContain(error.code);
  });

  it('refuses too many entries before reading any', async () => {
    const zip = await writeZip(Array.from({ length: 40 }, (_, i): [string, string] => [`f${i}.json`, '{}']));
    const error = await refusal(zip, { maxEntries: 32 });
    expect(error.code).toBe('ZIP_TOO_MANY_ENTRIES');
    expect(error.message).toContain('40');
  });

  it('refuses an archive larger than allowed', async () => {
    expect((await refusal(new Uint8Array(2000), { maxArchiveBytes: 1000 })).code).toBe('ZIP_TOO_LARGE');
  });

  it.each([
    ['../evil.json', 'parent traversal'],
    ['profile/../../evil.json', 'nested traversal'],
    ['/etc/passwd', 'absolute path'],
    ['C:/windows/evil.json', 'drive letter'],
    ['profile\\..\\evil.json', 'backslash'],
  ])('refuses the entry name %s (%s)', async (name) => {
    const error = await refusal(rawZip([{ name, data: text('{}') }]));
    expect(error.code).toBe('ZIP_UNSAFE_NAME');
  });

  it('refuses duplicate names, also when only the case differs', async () => {
    expect(
      (
        await refusal(
          rawZip([
            { name: 'a.json', data: text('1') },
            { name: 'a.json', data: text('2') },
          ]),
        )
      ).code,
    ).toBe('ZIP_DUPLICATE_NAME');
    expect(
      (
        await refusal(
          rawZip([
            { name: 'A.json', data: text('1') },
            { name: 'a.json', data: text('2') },
          ]),
        )
      ).code,
    ).toBe('ZIP_DUPLICATE_NAME');
  });

  it('refuses an overlong name', async () => {
    const error = await refusal(rawZip([{ name: 'x'.repeat(300), data: text('{}') }]));
    expect(error.code).toBe('ZIP_UNSAFE_NAME');
  });

  it('refuses a nested zip unless nesting is allowed', async () => {
    const inner = await writeZip([['inner.json', '{}']]);
    const outer = await writeZip([['payload.bin', inner]]);
    expect((await refusal(outer)).code).toBe('ZIP_NESTED_ARCHIVE');
    const allowed = await readZip(outer, { allowNestedArchives: true });
    expect(allowed.ok).toBe(true);
  });

  it('skips directory entries', async () => {
    const result = await readZip(
      rawZip([
        { name: 'profile/', data: new Uint8Array() },
        { name: 'profile/a.json', data: text('{}') },
      ]),
    );
    expect(result.ok && [...result.entries.keys()]).toEqual(['profile/a.json']);
  });

  it('explains why a name is unsafe', () => {
    expect(unsafeNameReason('a/./b')).toMatch(/segment/);
    expect(unsafeNameReason('a\u0001b')).toMatch(/control/);
    expect(unsafeNameReason('service/Battery/profile/servicetype-capability.json')).toBeUndefined();
  });

  it('will not write an unsafe name', async () => {
    await expect(writeZip([['../x', '']])).rejects.toThrow(/climbs out/);
  });
});
