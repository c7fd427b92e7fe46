import { describe, expect, it } from 'vitest';
import { mergeConfigs } from '../../../../core/config/index.js';

describe('merging a pending config with a newer one', () => {
  it('keeps the older keys the newer one does not set and lets the newer keys win', () => {
    expect(
      mergeConfigs(
        { Battery: { batteryThreshold: 10 }, WaterMeterBasic: { deviceLevel: 'normal', temperatureReadPeriod: 30 } },
        { WaterMeterBasic: { deviceLevel: 'debug' }, DeliverySchedule: { reportPeriod: 60 } },
      ),
    ).toEqual({
      Battery: { batteryThreshold: 10 },
      WaterMeterBasic: { deviceLevel: 'debug', temperatureReadPeriod: 30 },
      DeliverySchedule: { reportPeriod: 60 },
    });
  });
});
