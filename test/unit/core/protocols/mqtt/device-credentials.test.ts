import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  mqttPassword,
  parseClientId,
  passwordMatches,
  timestampFresh,
  timestampOf,
} from '../../../../../core/protocols/mqtt/device-credentials.js';

describe('MQTT device credentials', () => {
  it('parses the documented clientId, taking the fixed parts from the right of an id with underscores', () => {
    expect(parseClientId('D39564861q3gDa_0_0_2018072417')).toEqual({
      ok: true,
      value: { id: 'D39564861q3gDa', authType: 0, signType: 0, timestamp: '2018072417' },
    });
    expect(parseClientId('5f0c1e2d3b4a59687a6b5c4d_node_1_2_1_2026112612')).toMatchObject({
      ok: true,
      value: { id: '5f0c1e2d3b4a59687a6b5c4d_node_1', authType: 2, signType: 1 },
    });
  });

  it('explains what is wrong with a malformed clientId', () => {
    expect(parseClientId('abc')).toMatchObject({ ok: false });
    expect(parseClientId('dev_0_3_2026112612')).toMatchObject({ ok: false, reason: 'signType must be 0 or 1' });
    expect(JSON.stringify(parseClientId('dev_0_0_20261126'))).toMatch(/"ok":false.*YYYYMMDDHH/);
    expect(JSON.stringify(parseClientId('dev_1_0_2026112612'))).toMatch(/"ok":false.*authType 1/);
  });

  it('computes the password as hex HMAC-SHA256 keyed by the timestamp over the secret', () => {
    const expected = createHmac('sha256', '2018072417').update('mysecret').digest('hex');
    expect(mqttPassword('mysecret', '2018072417')).toBe(expected);
    expect(passwordMatches(Buffer.from(expected.toUpperCase()), 'mysecret', '2018072417')).toBe(true);
    expect(passwordMatches(Buffer.from('00'), 'mysecret', '2018072417')).toBe(false);
    expect(passwordMatches(undefined, 'mysecret', '2018072417')).toBe(false);
  });

  it('accepts a signType 1 timestamp within an hour of the clock and refuses older ones', () => {
    const now = Date.UTC(2026, 10, 26, 12, 30);
    expect(timestampOf(now)).toBe('2026112612');
    expect(timestampFresh('2026112612', now)).toBe(true);
    expect(timestampFresh('2026112611', now)).toBe(true);
    expect(timestampFresh('2026112613', now)).toBe(true);
    expect(timestampFresh('2026112609', now)).toBe(false);
    expect(timestampFresh('2026139912', now)).toBe(false);
  });

  it('never throws on random clientIds', () => {
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(Math.random() * 40) }, () =>
        String.fromCharCode(Math.random() < 0.3 ? 95 : 32 + Math.floor(Math.random() * 90)),
      ).join('');
      expect(() => parseClientId(s)).not.toThrow();
    }
  });
});
