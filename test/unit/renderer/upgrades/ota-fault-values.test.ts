import { describe, expect, it } from 'vitest';
import { simOtaFaultsSchema } from '../../../../core/contract/index.js';
import { coverageLevelOf } from '../../../../core/ota/coverage.js';
import {
  emptyFaultForm,
  faultsOf,
  shareRange,
  type FaultFormValues,
} from '../../../../renderer/features/upgrades/otaFaultValues.js';

const form = (over: Partial<FaultFormValues>): FaultFormValues => ({ ...emptyFaultForm, ...over });

describe('upgrade fault form values', () => {
  it('sends nothing for an untouched form (the device keeps its own radio)', () => {
    expect(faultsOf(emptyFaultForm)).toEqual({});
  });

  it('sends the ticked answers and the shard numbers, 0 included', () => {
    const faults = faultsOf(
      form({
        switches: { ...emptyFaultForm.switches, alreadyLatest: true, lowBattery: true },
        dropShard: 0,
        offlineAtShard: 37,
      }),
    );
    expect(faults).toEqual({ alreadyLatest: true, lowBattery: true, dropShard: 0, offlineAtShard: 37 });
    expect(simOtaFaultsSchema.parse(faults)).toEqual(faults);
  });

  it('gives each coverage preset a radio the core classes as that level', () => {
    for (const level of ['0', '1', '2'] as const) {
      const faults = faultsOf(form({ coverage: level }));
      expect(coverageLevelOf(faults.rsrpDbm ?? 0, faults.sinrDb ?? 0)).toBe(level);
      expect(simOtaFaultsSchema.safeParse(faults).success).toBe(true);
    }
  });

  it('makes the coverage query fail with a null RSRP and the cell unknown with a null cell id', () => {
    expect(faultsOf(form({ coverage: 'queryFails', cell: 'unknown' }))).toEqual({ rsrpDbm: null, cellId: null });
    expect(faultsOf(form({ cell: 'set', cellId: 4711 }))).toEqual({ cellId: 4711 });
    expect(faultsOf(form({ cell: 'set', cellId: '' }))).toEqual({});
  });

  it('picks a share of a fleet as consecutive devices from a position, rounded like fleet fault groups', () => {
    expect(shareRange(200, 0.1, 0)).toEqual({ first: 0, count: 20 });
    expect(shareRange(200, 0.1, 190)).toEqual({ first: 190, count: 10 });
    expect(shareRange(3, 0.5, 0)).toEqual({ first: 0, count: 2 });
    expect(shareRange(10, 0, 0)).toEqual({ first: 0, count: 0 });
    expect(shareRange(10, 2, -5)).toEqual({ first: 0, count: 10 });
    expect(shareRange(10, 1, 12)).toEqual({ first: 10, count: 0 });
  });
});
