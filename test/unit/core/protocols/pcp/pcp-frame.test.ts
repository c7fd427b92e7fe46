import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pcpChecksum } from '../../../../../core/protocols/pcp/pcp-checksum.js';
import {
  decodePcpFrame,
  encodePcpFrame,
  PcpEncodeError,
  type PcpDecodeResult,
  type PcpFrame,
  type PcpMessage,
} from '../../../../../core/protocols/pcp/pcp-frame.js';
import { runCli } from '../../../../../core/cli.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function valid(result: PcpDecodeResult): PcpFrame {
  if (!result.valid) throw new Error(`expected a valid frame: ${result.reason}`);
  return result;
}

describe('PCP checksum (R-15.4)', () => {
  it('gives the check value 4C9A for FFFE011300000000', () => {
    expect(pcpChecksum(bytesOf('FFFE011300000000'))).toBe(0x4c9a);
    expect(hex(encodePcpFrame({ code: 19, kind: 'request' }))).toBe('FFFE01134C9A0000');
  });

  it('ignores whatever is in the checksum field', () => {
    expect(pcpChecksum(bytesOf('FFFE01134C9A0000'))).toBe(0x4c9a);
    expect(pcpChecksum(bytesOf('FFFE0113FFFF0000'))).toBe(0x4c9a);
  });

  it.each([
    ['FFFE01155618001256312E300000000000000000000000000000', 'request shard 0 of V1.0'],
    ['FFFE0117CF900000', 'execute upgrade'],
    ['FFFE0118C7D200110056312E30000000000000000000000000', 'report upgrade success, version V1.0'],
  ])('matches the published example %s (%s)', (frame) => {
    const bytes = bytesOf(frame);
    expect(pcpChecksum(bytes)).toBe((bytes[4]! << 8) | bytes[5]!);
    expect(decodePcpFrame(bytes).valid).toBe(true);
  });
});

describe('PCP frames of every message code (R-15.3)', () => {
  const cases: { message: PcpMessage; sender: 'platform' | 'device'; fields: Record<string, unknown> }[] = [
    { message: { code: 19, kind: 'request' }, sender: 'platform', fields: {} },
    {
      message: { code: 19, kind: 'reply', result: 0, currentVersion: 'V1.0.10' },
      sender: 'device',
      fields: { result: 0, currentVersion: 'V1.0.10' },
    },
    {
      message: { code: 20, kind: 'request', targetVersion: 'V2.0', shardSize: 500, shardCount: 12, checkCode: 0x1234 },
      sender: 'platform',
      fields: { targetVersion: 'V2.0', shardSize: 500, shardCount: 12, checkCode: 0x1234 },
    },
    { message: { code: 20, kind: 'reply', result: 3 }, sender: 'device', fields: { result: 3 } },
    {
      message: { code: 21, kind: 'request', targetVersion: 'V2.0', shardIndex: 7 },
      sender: 'device',
      fields: { targetVersion: 'V2.0', shardIndex: 7 },
    },
    {
      message: { code: 21, kind: 'reply', result: 0, shardIndex: 7, shardData: '0102030405' },
      sender: 'platform',
      fields: { result: 0, shardIndex: 7, shardData: '0102030405' },
    },
    {
      message: { code: 21, kind: 'reply', result: 0x81, shardIndex: 99 },
      sender: 'platform',
      fields: { result: 0x81, shardIndex: 99 },
    },
    { message: { code: 22, kind: 'request', result: 7 }, sender: 'device', fields: { result: 7 } },
    { message: { code: 22, kind: 'reply', result: 0x80 }, sender: 'platform', fields: { result: 0x80 } },
    { message: { code: 23, kind: 'request' }, sender: 'platform', fields: {} },
    { message: { code: 23, kind: 'reply', result: 4 }, sender: 'device', fields: { result: 4 } },
    {
      message: { code: 24, kind: 'request', result: 0x0a, currentVersion: 'V1.0' },
      sender: 'device',
      fields: { result: 0x0a, currentVersion: 'V1.0' },
    },
    { message: { code: 24, kind: 'reply', result: 0 }, sender: 'platform', fields: { result: 0 } },
  ];

  it.each(cases)('encodes and decodes code $message.code $message.kind', ({ message, sender, fields }) => {
    const frame = valid(decodePcpFrame(encodePcpFrame(message), { sender }));
    expect(frame.code).toBe(message.code);
    expect(frame.kind).toBe(message.kind);
    expect(frame.sender).toBe(sender);
    expect(frame.kindInferred).toBe(false);
    expect(frame.message).toMatchObject(fields);
    expect(frame.checksum.given).toBe(frame.checksum.computed);
    // Decoding gives back the message that was encoded.
    expect(hex(encodePcpFrame(frame.message))).toBe(hex(encodePcpFrame(message)));
  });

  it('names every field with its place in the frame', () => {
    const bytes = encodePcpFrame({ code: 20, kind: 'request', targetVersion: 'V2.0', shardCount: 3 });
    const frame = valid(decodePcpFrame(bytes, { sender: 'platform' }));
    const byKey = Object.fromEntries(frame.fields.map((f) => [f.key, f]));
    expect(byKey['pcp.targetVersion']).toMatchObject({ value: 'V2.0', offset: 8, length: 16 });
    expect(byKey['pcp.shardSize']).toMatchObject({ value: 500, offset: 24, length: 2 });
    expect(byKey['pcp.shardCount']).toMatchObject({ value: 3, offset: 26, length: 2 });
    expect(byKey['pcp.checkCode']).toMatchObject({ value: '0000', offset: 28, length: 2 });
  });

  it('gives result codes their meaning for the code and kind', () => {
    const meaning = (m: PcpMessage, sender: 'platform' | 'device') =>
      valid(decodePcpFrame(encodePcpFrame(m), { sender })).fields.find((f) => f.key === 'pcp.result')?.meaning;
    expect(meaning({ code: 20, kind: 'reply', result: 2 }, 'device')).toBe('poor signal');
    expect(meaning({ code: 21, kind: 'reply', result: 0x80, shardIndex: 0 }, 'platform')).toBe('no upgrade task');
    expect(meaning({ code: 22, kind: 'request', result: 6 }, 'device')).toBe('download timeout');
    expect(meaning({ code: 24, kind: 'request', result: 0x7f, currentVersion: 'V1' }, 'device')).toBe('internal error');
  });

  it('infers request or reply from the length when the sender is unknown', () => {
    const reply = valid(decodePcpFrame(encodePcpFrame({ code: 19, kind: 'reply', currentVersion: 'V1' })));
    expect(reply).toMatchObject({ kind: 'reply', sender: 'device', kindInferred: true });
  });

  it('refuses to encode a version longer than 16 bytes or a missing field', () => {
    expect(() => encodePcpFrame({ code: 21, kind: 'request', targetVersion: 'V'.repeat(17), shardIndex: 0 })).toThrow(
      PcpEncodeError,
    );
    expect(() => encodePcpFrame({ code: 21, kind: 'request', targetVersion: 'V1' })).toThrow(/shardIndex is required/);
  });
});

describe('telling PCP from business data (R-15.5)', () => {
  const good = encodePcpFrame({ code: 22, kind: 'request', result: 0 });
  const mutate = (f: (b: Uint8Array) => void, fixChecksum = true) => {
    const b = Uint8Array.from(good);
    f(b);
    if (fixChecksum) {
      const c = pcpChecksum(b);
      b[4] = c >> 8;
      b[5] = c & 0xff;
    }
    return b;
  };

  it.each([
    ['a product without PCP upgrade', good, { productSupportsPcp: false }, 'PCP_NOT_SUPPORTED', /does not upgrade/],
    ['a wrong start', mutate((b) => (b[1] = 0xfd)), {}, 'PCP_BAD_START', /starts with 0xFFFD/],
    ['a short header', good.subarray(0, 7), {}, 'PCP_TOO_SHORT', /7 bytes/],
    ['version 2', mutate((b) => (b[2] = 0x02)), {}, 'PCP_BAD_VERSION', /protocol version 2/],
    ['a reserved code', mutate((b) => (b[3] = 18)), {}, 'PCP_BAD_CODE', /message code 18/],
    ['a wrong checksum', mutate((b) => (b[5] = b[5]! ^ 1), false), {}, 'PCP_BAD_CHECKSUM', /does not match computed/],
    ['a length that disagrees', mutate((b) => (b[7] = 2)), {}, 'PCP_BAD_LENGTH', /says 2 bytes but 1 follow/],
  ] as const)('rejects %s', (_name, bytes, options, code, reason) => {
    const result = decodePcpFrame(bytes, options);
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.code).toBe(code);
    expect(result.reason).toMatch(/^not PCP because /);
    expect(result.reason).toMatch(reason);
  });

  it('rejects a data length that does not fit the message code', () => {
    const bytes = encodePcpFrame({ code: 20, kind: 'request', data: '0102' });
    const result = decodePcpFrame(bytes, { sender: 'platform' });
    expect(result).toMatchObject({ valid: false, code: 'PCP_BAD_LENGTH' });
  });

  it('accepts a reserved high nibble in the version byte', () => {
    expect(decodePcpFrame(mutate((b) => (b[2] = 0x31))).valid).toBe(true);
  });
});

describe('PCP decoder on garbage', () => {
  it('returns an error value for random bytes, never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(undefined, 'platform', 'device'), (b, sender) => {
        const r = decodePcpFrame(b, sender ? { sender } : {});
        expect(typeof r.valid).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('returns an error value for random bytes behind a PCP start', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        const r = decodePcpFrame(Uint8Array.from([0xff, 0xfe, ...tail]));
        if (!r.valid) expect(r.reason).toMatch(/^not PCP because/);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every truncation of a valid frame', () => {
    const frame = encodePcpFrame({ code: 21, kind: 'reply', result: 0, shardIndex: 1, shardData: 'AABBCCDD' });
    for (let n = 0; n < frame.length; n++) expect(decodePcpFrame(frame.subarray(0, n)).valid).toBe(false);
  });

  it('round-trips any shard reply', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 500 }), (index, shard) => {
        const m: PcpMessage = { code: 21, kind: 'reply', result: 0, shardIndex: index, shardData: hex(shard) };
        const r = valid(decodePcpFrame(encodePcpFrame(m), { sender: 'platform' }));
        expect(r.message.shardIndex).toBe(index);
        expect(r.message.shardData ?? '').toBe(hex(shard));
      }),
    );
  });
});

describe('iotwb pcp', () => {
  async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['pcp', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('decodes a valid frame to JSON and exits 0', async () => {
    const r = await cli('decode', 'FFFE01134C9A0000');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, code: 19, checksum: { given: '4C9A', computed: '4C9A' } });
  });

  it('explains an invalid frame and exits 1', async () => {
    const r = await cli('decode', 'FFFE01131111 0000');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      valid: false,
      reason: 'not PCP because checksum 0x1111 does not match computed 0x4C9A',
      header: { checksum: { given: '1111', computed: '4C9A' } },
    });
  });

  it('says when the input is not hex', async () => {
    const r = await cli('decode', 'xyz');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ valid: false, code: 'NOT_HEX' });
  });

  it('encodes JSON to hex', async () => {
    const r = await cli('encode', '{"code":21,"kind":"request","targetVersion":"V1.0","shardIndex":0}');
    expect(r).toMatchObject({ code: 0, out: 'FFFE01155618001256312E300000000000000000000000000000' });
  });

  it('names the bad field of an encode request', async () => {
    const r = await cli('encode', '{"code":24,"kind":"request"}');
    expect(r.code).toBe(1);
    expect(r.err).toContain('currentVersion is required');
    expect((await cli('encode', '{"code":"x"}')).err).toContain('code');
  });
});
