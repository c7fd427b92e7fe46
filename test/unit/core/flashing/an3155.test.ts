import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK,
  NACK,
  addressFrame,
  commandFrame,
  extendedEraseFrame,
  parseAddressFrame,
  standardEraseFrame,
  writeFrame,
} from '../../../../core/flashing/stm32/an3155.js';
import { Stm32BootloaderEmulator } from '../../../../core/flashing/stm32/stm32-bootloader-emulator.js';

function emulator(options = {}) {
  const out: number[] = [];
  const e = new Stm32BootloaderEmulator(options, (b) => out.push(...b));
  const take = (): number[] => out.splice(0, out.length);
  return { e, take };
}

describe('AN3155 frames', () => {
  it('address frames carry the XOR and parse back', () => {
    expect([...addressFrame(0x08000000)]).toEqual([0x08, 0x00, 0x00, 0x00, 0x08]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
        expect(parseAddressFrame(addressFrame(a))).toBe(a);
      }),
    );
    expect(parseAddressFrame(Uint8Array.from([8, 0, 0, 0, 0]))).toBeNull();
  });

  it('write, erase and command frames', () => {
    expect([...commandFrame(0x31)]).toEqual([0x31, 0xce]);
    expect([...writeFrame(Uint8Array.from([1, 2, 3, 4]))]).toEqual([3, 1, 2, 3, 4, 3 ^ 1 ^ 2 ^ 3 ^ 4]);
    expect(() => writeFrame(new Uint8Array(257))).toThrow(RangeError);
    expect([...standardEraseFrame([0, 1])]).toEqual([1, 0, 1, 0]);
    expect([...extendedEraseFrame([0x0102])]).toEqual([0, 0, 1, 2, 3]);
  });
});

describe('STM32 bootloader emulator', () => {
  it('inits on 0x7F, answers Get and Get ID, NACKs a bad complement', () => {
    const { e, take } = emulator();
    e.receive(Uint8Array.from([0x7f]));
    expect(take()).toEqual([ACK]);
    e.receive(commandFrame(0x02));
    expect(take()).toEqual([ACK, 1, 0x04, 0x10, ACK]);
    e.receive(Uint8Array.from([0x00, 0x00]));
    expect(take()).toEqual([NACK]);
  });

  it('writes only erased flash, reads it back, refuses everything while read-protected', () => {
    const { e, take } = emulator({ readoutProtected: true });
    e.receive(Uint8Array.from([0x7f]));
    e.receive(commandFrame(0x11));
    expect(take()).toEqual([ACK, NACK]);
    e.receive(commandFrame(0x92));
    expect(take()).toEqual([ACK, ACK]);
    e.receive(Uint8Array.from([0x7f]));
    e.receive(commandFrame(0x31));
    e.receive(addressFrame(0x08000000));
    e.receive(writeFrame(Uint8Array.from([0xde, 0xad, 0xbe, 0xef])));
    expect(take()).toEqual([ACK, ACK, ACK, ACK]);
    e.receive(commandFrame(0x31));
    e.receive(addressFrame(0x08000000));
    e.receive(writeFrame(Uint8Array.from([0, 0, 0, 1])));
    expect(take()).toEqual([ACK, ACK, NACK]);
    e.receive(commandFrame(0x11));
    e.receive(addressFrame(0x08000000));
    e.receive(Uint8Array.from([3, 0xfc]));
    expect(take()).toEqual([ACK, ACK, ACK, 0xde, 0xad, 0xbe, 0xef]);
  });

  it('survives garbage: every answer is an ACK, a NACK or data it was asked for, and it never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const { e } = emulator();
        e.receive(Uint8Array.from([0x7f]));
        e.receive(bytes);
        expect(e.flash.length).toBe(128 * 1024);
      }),
    );
  });
});
