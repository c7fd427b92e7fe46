import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EspRomEmulator } from '../../../../core/flashing/esp/esp-rom-emulator.js';
import { SlipDecoder, slipEncode } from '../../../../core/flashing/esp/slip.js';

function command(op: number, data: number[], checksum = 0): Uint8Array {
  const c = [checksum & 0xff, 0, 0, 0];
  return slipEncode(Uint8Array.from([0, op, data.length & 0xff, data.length >> 8, ...c, ...data]));
}
const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function rig(chip: 'esp32' | 'esp8266' = 'esp32') {
  const decoder = new SlipDecoder();
  const frames: Uint8Array[] = [];
  const e = new EspRomEmulator({ chip, flashSize: 1024 * 1024 }, (b) => frames.push(...decoder.push(b)));
  return { e, frames };
}

describe('ESP ROM loader emulator', () => {
  it('answers SYNC eight times and the chip magic on READ_REG', async () => {
    const { e, frames } = rig();
    e.receive(command(0x08, [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]));
    await e.idle();
    expect(frames).toHaveLength(8);
    frames.length = 0;
    e.receive(command(0x0a, le(0x40001000)));
    await e.idle();
    const r = frames[0]!;
    expect([r[0], r[1]]).toEqual([1, 0x0a]);
    expect(Buffer.from(r.subarray(4, 8)).readUInt32LE()).toBe(0x00f01d83);
  });

  it('writes a block after FLASH_BEGIN, refuses a bad checksum, hashes the flash', async () => {
    const { e, frames } = rig();
    e.receive(command(0x02, [...le(4096), ...le(1), ...le(4096), ...le(0x1000)]));
    const block = [1, 2, 3, 4];
    const chk = block.reduce((a, b) => a ^ b, 0xef);
    e.receive(command(0x03, [...le(4), ...le(0), ...le(0), ...le(0), ...block], chk ^ 1));
    e.receive(command(0x03, [...le(4), ...le(0), ...le(0), ...le(0), ...block], chk));
    await e.idle();
    const status = frames.map((f) => f[8]);
    expect(status).toEqual([0, 1, 0]);
    expect([...e.flash.subarray(0x1000, 0x1004)]).toEqual(block);
  });

  it('treats an unknown command as an invalid message and never throws on garbage', async () => {
    const { e, frames } = rig('esp8266');
    e.receive(command(0x14, []));
    await e.idle();
    expect(frames[0]![1]).not.toBe(0x14);
    expect(frames[0]![9]).toBe(0x05);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (frames) => {
        for (const f of frames) e.receive(slipEncode(f));
      }),
    );
    await e.idle();
  });
});
