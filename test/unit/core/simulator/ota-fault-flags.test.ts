// `--ota-fault F[,F…][@WHO]`: the fault groups the simulators take, and a clear refusal for anything else.
import { describe, expect, it } from 'vitest';
import { parseOtaFaultFlags } from '../../../../core/simulator/ota-fault-flags.js';

describe('parseOtaFaultFlags', () => {
  it('turns each flag into the next group of devices, by count or share', () => {
    expect(
      parseOtaFaultFlags(
        [
          'already-latest@2',
          'drop-shard=37@2',
          'low-battery,busy@5%',
          'offline-at-shard=4',
          'cell=unknown,rsrp=-118.5@1',
        ],
        'lwm2m',
        200,
      ),
    ).toEqual({
      groups: [
        { count: 2, faults: { alreadyLatest: true } },
        { count: 2, faults: { dropShard: 37 } },
        { share: 0.05, faults: { lowBattery: true, busy: true } },
        { count: 200, faults: { offlineAtShard: 4 } },
        { count: 1, faults: { cellId: null, rsrpDbm: -118.5 } },
      ],
    });
  });

  it('refuses radio faults for MQTT devices, unknown faults, missing values and bad selections', () => {
    const error = (flag: string, protocol: 'mqtt' | 'lwm2m' = 'lwm2m') => {
      const r = parseOtaFaultFlags([flag], protocol, 10);
      return 'error' in r ? r.error : undefined;
    };
    expect(error('rsrp=-110', 'mqtt')).toBe('--ota-fault rsrp=-110: rsrp is radio: LwM2M devices only');
    expect(error('sleepy')).toBe('--ota-fault sleepy: unknown fault "sleepy"');
    expect(error('drop-shard')).toBe('--ota-fault drop-shard: drop-shard needs a value (drop-shard=N)');
    expect(error('busy=1')).toBe('--ota-fault busy=1: busy takes no value');
    expect(error('busy@150%')).toBe('--ota-fault busy@150%: @150% is more than the whole fleet');
    expect(error('busy@1.5')).toBe('--ota-fault busy@1.5: @1.5 is not a whole number of devices');
    expect(error('busy@two')).toBe('--ota-fault busy@two: @two is not a device count (@2) or a share (@5%)');
    expect(error('drop-shard=0x10')).toBe('--ota-fault drop-shard=0x10: drop-shard=0x10 is not a number');
    expect(error('drop-shard=70000')).toMatch(/^--ota-fault drop-shard=70000: dropShard /);
  });

  it('never throws on garbage: a group or an error naming the flag', () => {
    let seed = 7;
    const pick = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const alphabet = [
      'busy',
      'drop-shard',
      '=',
      ',',
      '@',
      '%',
      '-',
      '1',
      '9',
      '.',
      'cell',
      'unknown',
      ' ',
      'é',
      '\u0000',
    ];
    for (let i = 0; i < 5000; i++) {
      const flag = Array.from({ length: pick(8) }, () => alphabet[pick(alphabet.length)]).join('');
      const result = parseOtaFaultFlags([flag], pick(2) ? 'mqtt' : 'lwm2m', 50);
      if ('error' in result) expect(result.error.startsWith(`--ota-fault ${flag}:`)).toBe(true);
      else expect(result.groups).toHaveLength(1);
    }
  });
});
