// Block-wise transfers: incoming Block1 bodies reassembled in order, refused out of order, forgotten when stale;
// our Block1 uploads follow the device's smaller block size and Block2 downloads join every block.
import coapPacket, { type ParsedPacket } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { Block1Bodies, requestBlockwise, type Exchange } from '../../../../../core/access/coap/coap-blockwise.js';
import { createManualClock } from '../../../../../core/clock.js';
import { blockOption, optionOf, readBlock } from '../../../../../core/protocols/coap/coap-options.js';

const peer = { address: '127.0.0.1', port: 5683 };

function blockRequest(num: number, more: boolean, size: number, payload: string): ParsedPacket {
  return coapPacket.parse(
    coapPacket.generate({
      messageId: num + 1,
      code: 'POST',
      confirmable: true,
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Block1', value: blockOption({ num, more, size }) },
      ],
      payload: Buffer.from(payload),
    }),
  );
}

const take = (bodies: Block1Bodies, p: ParsedPacket) => bodies.take(p, peer, readBlock(optionOf(p, 'Block1'))!);

describe('Block1Bodies', () => {
  it('answers 2.31 for each block but the last and hands over the joined body after it', () => {
    const bodies = new Block1Bodies(createManualClock());
    expect(take(bodies, blockRequest(0, true, 16, 'a'.repeat(16)))).toMatchObject({ answer: { code: '2.31' } });
    expect(take(bodies, blockRequest(1, true, 16, 'b'.repeat(16)))).toMatchObject({ answer: { code: '2.31' } });
    const last = take(bodies, blockRequest(2, false, 16, 'c'));
    expect('body' in last && last.body.toString()).toBe(`${'a'.repeat(16)}${'b'.repeat(16)}c`);
  });

  it('refuses a block that does not follow the ones before with 4.08', () => {
    const bodies = new Block1Bodies(createManualClock());
    take(bodies, blockRequest(0, true, 16, 'a'.repeat(16)));
    expect(take(bodies, blockRequest(2, false, 16, 'c'))).toMatchObject({ answer: { code: '4.08' } });
    expect(take(bodies, blockRequest(1, false, 16, 'b'))).toMatchObject({ answer: { code: '4.08' } });
  });

  it('forgets a body whose next block never came', () => {
    const clock = createManualClock();
    const bodies = new Block1Bodies(clock);
    take(bodies, blockRequest(0, true, 16, 'a'.repeat(16)));
    clock.advance(1000);
    bodies.sweep(clock.now());
    expect(take(bodies, blockRequest(1, false, 16, 'b'))).toMatchObject({ answer: { code: '4.08' } });
  });
});

describe('requestBlockwise', () => {
  const answer = (code: string, options: { name: 'Block1' | 'Block2'; value: Buffer }[], payload = '') =>
    coapPacket.parse(coapPacket.generate({ messageId: 1, ack: true, code, options, payload: Buffer.from(payload) }));

  it('uploads in the smaller blocks the device asks for', async () => {
    const sent: { num: number; size: number; bytes: number }[] = [];
    const exchange: Exchange = (_peer, spec) => {
      const b = readBlock(spec.options!.find((o) => o.name === 'Block1')!.value)!;
      sent.push({ num: b.num, size: b.size, bytes: spec.payload!.length });
      return Promise.resolve(
        b.more
          ? answer('2.31', [{ name: 'Block1', value: blockOption({ num: b.num, more: true, size: 32 }) }])
          : answer('2.04', []),
      );
    };
    const r = await requestBlockwise(exchange, peer, { code: 'PUT', payload: Buffer.alloc(100) }, 1000, {
      blockSize: 64,
      token: Buffer.from('01', 'hex'),
      newToken: () => Buffer.from('02', 'hex'),
    });
    expect(r.packet.code).toBe('2.04');
    expect(sent).toEqual([
      { num: 0, size: 64, bytes: 64 },
      { num: 2, size: 32, bytes: 32 },
      { num: 3, size: 32, bytes: 4 },
    ]);
  });

  it('joins the Block2 blocks of an answer', async () => {
    const exchange: Exchange = (_peer, spec) => {
      const asked = readBlock(spec.options?.find((o) => o.name === 'Block2')?.value);
      const num = asked?.num ?? 0;
      const more = num < 2;
      return Promise.resolve(
        answer(
          '2.05',
          [{ name: 'Block2', value: blockOption({ num, more, size: 16 }) }],
          more ? 'x'.repeat(16) : 'end',
        ),
      );
    };
    const r = await requestBlockwise(exchange, peer, { code: 'GET' }, 1000, {
      blockSize: 1024,
      token: Buffer.from('01', 'hex'),
      newToken: () => Buffer.from('02', 'hex'),
    });
    expect(r.payload.toString()).toBe(`${'x'.repeat(32)}end`);
    expect(r.token.toString('hex')).toBe('01');
  });
});
