import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldValues } from '../../../../core/traffic/decode/layer-types.js';
import { evaluateFilter } from '../../../../core/traffic/filter/filter-eval.js';
import { FilterSyntaxError, parseFilter } from '../../../../core/traffic/filter/filter-parser.js';

const publish: FieldValues = {
  proto: ['mqtt', 'codec'],
  dir: 'in',
  transport: 'tcp',
  device: 'dev-1',
  peer: '127.0.0.1:50001',
  len: 60,
  payload: '{"temperature":21.5}',
  'mqtt.type': 'publish',
  'mqtt.topic': '/huawei/v1/devices/dev-1/data/json',
  'mqtt.qos': 1,
  'mqtt.retain': false,
  'decoded.temperature': 21.5,
};
const notify: FieldValues = {
  proto: ['coap', 'lwm2m', 'pcp'],
  dir: 'in',
  len: 40,
  'coap.type': 'non',
  'coap.code': '2.05',
  'coap.mid': 8,
  'coap.uri': '/',
  'lwm2m.op': 'notify',
  'lwm2m.path': '/19/0/0',
  'pcp.code': 21,
  'pcp.valid': true,
};
const subscribe: FieldValues = { proto: ['mqtt'], 'mqtt.type': 'subscribe', 'mqtt.topic': ['a/b', 'c/d'] };

const matches = (expr: string, v: FieldValues) => evaluateFilter(parseFilter(expr), v);

describe('display filter', () => {
  it.each([
    ['mqtt', publish, true],
    ['coap', publish, false],
    ['proto == lwm2m', notify, true],
    ['mqtt.topic contains "data"', publish, true],
    ['mqtt.topic matches "^/HUAWEI/.*/json$"', publish, true],
    ['mqtt.type == PUBLISH && mqtt.qos >= 1', publish, true],
    ['mqtt.qos < 1', publish, false],
    ['coap.code == 2.05', notify, true],
    ['coap.code == "2.05"', notify, true],
    ['coap.code >= 4.00', notify, false],
    ['coap.mid == 8 and lwm2m.op == notify', notify, true],
    ['lwm2m.path == /19/0/0', notify, true],
    ['pcp.code == 21 && pcp.valid', notify, true],
    ['pcp.valid == false', notify, false],
    ['!(dir == out)', publish, true],
    ['not mqtt || len > 50', publish, true],
    ['device == "dev-1"', publish, true],
    ['peer contains ":50001"', publish, true],
    ['payload contains "temperature"', publish, true],
    ['decoded.temperature > 20', publish, true],
    ['decoded.humidity > 20', publish, false],
    ['mqtt.retain == false', publish, true],
    ['mqtt.topic == c/d', subscribe, true],
    ['mqtt.topic != c/d', subscribe, false],
    ['mqtt.topic != x/y', subscribe, true],
    ['(mqtt || coap) && !pcp', notify, false],
    ['', notify, true],
  ] as const)('%s', (expr, values, expected) => {
    expect(matches(expr, values)).toBe(expected);
  });

  it.each([
    ['mqtt.topik == a', 0, /unknown field "mqtt.topik"/],
    ['mqtt.qos = 1', 9, /use "=="/],
    ['mqtt && ', 8, /expected a field name but found the end/],
    ['(mqtt || coap', 13, /expected "\)"/],
    ['mqtt.topic contains "abc', 20, /no closing quote/],
    ['mqtt.topic matches "(("', 19, /bad regular expression/],
    ['mqtt coap', 5, /expected "&&", "\|\|" or the end/],
    ['len > ', 6, /expected a value after >/],
    ['mqtt & coap', 5, /use "&&"/],
    ['len > 1 ; x', 8, /unexpected character ";"/],
  ] as const)('points at the error in %s', (expr, position, message) => {
    try {
      parseFilter(expr);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterSyntaxError);
      expect((error as FilterSyntaxError).position).toBe(position);
      expect((error as FilterSyntaxError).message).toMatch(message);
    }
  });

  it('parses or rejects random input without any other error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          evaluateFilter(parseFilter(s), publish);
        } catch (error) {
          expect(error).toBeInstanceOf(FilterSyntaxError);
          expect((error as FilterSyntaxError).position).toBeLessThanOrEqual(s.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
