// The platform's device id, as the registry assigns it and the simulators and bring-up look it up.
import { describe, expect, it } from 'vitest';
import { deviceIdOf } from '../../../../core/devices/index.js';

describe('deviceIdOf', () => {
  it('joins the product id and the node id with an underscore, as the platform does', () => {
    expect(deviceIdOf('5f0c3a', '861234567890123')).toBe('5f0c3a_861234567890123');
  });

  it('keeps underscores inside the node id', () => {
    expect(deviceIdOf('p1', 'gw_01_a')).toBe('p1_gw_01_a');
  });
});
