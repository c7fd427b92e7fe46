// The device page's connection snippets: the login matches the platform's HMAC, shell and Python quoting holds
// for any id and secret, and each dialect reports on its own topic with its own payload shape.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deviceSdkSnippet,
  exampleProperty,
  hourTimestamp,
  iotdaReport,
  iotdaSnippet,
  legacyReport,
  legacySnippet,
  mqttLoginFor,
  pahoSnippet,
  shellQuote,
} from '../../../../renderer/features/devices/connectionSnippet.js';
import { mqttPassword, timestampOf } from '../../../../core/protocols/mqtt/device-credentials.js';

const base = { deviceId: 'abc_LAMP-1', host: '127.0.0.1', port: 1883 };

describe('login for the current hour', () => {
  it('stamps the UTC hour as YYYYMMDDHH', () => {
    expect(hourTimestamp(new Date(Date.UTC(2026, 0, 5, 7, 59, 59)))).toBe('2026010507');
    expect(hourTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 0)))).toBe('2026123123');
  });

  it('computes the password the broker expects (HMAC-SHA256 keyed by the hour over the secret)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 8, maxLength: 64 }),
        fc.integer({ min: 0, max: 4e12 }),
        async (secret, ms) => {
          const at = new Date(ms);
          const login = await mqttLoginFor('dev_1', secret, at);
          const ts = timestampOf(ms);
          expect(login).toEqual({ clientId: `dev_1_0_0_${ts}`, username: 'dev_1', password: mqttPassword(secret, ts) });
          expect(login.password).toBe(createHmac('sha256', ts).update(secret).digest('hex'));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('mosquitto_pub snippets', () => {
  it('report on the IoTDA topic with services/properties and on the legacy topic with deviceReq', () => {
    const input = { ...base, serviceId: 'Light', propertyName: 'brightness', exampleValue: 40 };
    expect(iotdaReport(input)).toEqual({
      topic: '$oc/devices/abc_LAMP-1/sys/properties/report',
      payload: '{"services":[{"service_id":"Light","properties":{"brightness":40}}]}',
    });
    expect(legacyReport(input)).toEqual({
      topic: '/huawei/v1/devices/abc_LAMP-1/data/json',
      payload: '{"msgType":"deviceReq","data":[{"serviceId":"Light","serviceData":{"brightness":40}}]}',
    });
    expect(iotdaSnippet(input)).toContain("-t '$oc/devices/abc_LAMP-1/sys/properties/report'");
    expect(legacySnippet(input)).toContain("-t '/huawei/v1/devices/abc_LAMP-1/data/json'");
  });

  it('derive the login in the shell when no login was computed, with a placeholder until the secret is known', () => {
    const text = iotdaSnippet(base);
    expect(text).toContain("SECRET='<device secret>'");
    expect(text).toContain('openssl dgst -sha256 -hmac "$TS"');
    expect(text).toContain('-i "${ID}_0_0_${TS}"');
    expect(iotdaSnippet({ ...base, secret: 's3cr3t-xyz' })).toContain("SECRET='s3cr3t-xyz'");
  });

  it('use the computed login literally when there is one', () => {
    const login = { clientId: 'abc_LAMP-1_0_0_2026010507', username: 'abc_LAMP-1', password: 'ff00' };
    const text = legacySnippet({ ...base, login });
    expect(text).toContain("-i 'abc_LAMP-1_0_0_2026010507' -u 'abc_LAMP-1' -P 'ff00'");
    expect(text).not.toContain('openssl');
  });

  it('single-quotes any text so the shell reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const quoted = shellQuote(s);
        // Outside quotes only the escaped-quote sequence appears: '\'' between quoted runs.
        const unquoted = quoted.slice(1, -1).split(`'\\''`).join("'");
        expect(unquoted).toBe(s);
        expect(quoted.startsWith("'") && quoted.endsWith("'")).toBe(true);
      }),
    );
  });
});

describe('Python snippets', () => {
  it('put the device id, secret and report into Python string literals', () => {
    const text = pahoSnippet({
      ...base,
      secret: 'a"b\\c',
      serviceId: 'Light',
      propertyName: 'switch',
      exampleValue: 'ON',
    });
    expect(text).toContain('DEVICE_ID = "abc_LAMP-1"');
    expect(text).toContain('SECRET = "a\\"b\\\\c"');
    expect(text).toContain('client.connect("127.0.0.1", 1883)');
    expect(text).toContain('"$oc/devices/abc_LAMP-1/sys/properties/report"');
  });

  it('writes property values as Python literals in the device SDK snippet', () => {
    expect(deviceSdkSnippet({ ...base, propertyName: 'on', exampleValue: true })).toContain('{"on": True}');
    expect(deviceSdkSnippet({ ...base, propertyName: 'n', exampleValue: 3.5 })).toContain('{"n": 3.5}');
    const json = deviceSdkSnippet({ ...base, propertyName: 'cfg', exampleValue: { a: 1 } });
    expect(json.startsWith('import json\n')).toBe(true);
    expect(json).toContain('{"cfg": json.loads("{\\"a\\":1}")}');
  });
});

describe('example property', () => {
  it('takes the first property of the first service that has one, with a value its type accepts', () => {
    const services = [
      { serviceId: 'Empty', properties: [] },
      { serviceId: 'Light', properties: [{ name: 'switch', dataType: 'enum', enumList: ['ON', 'OFF'] }] },
    ];
    expect(exampleProperty(services)).toEqual({ serviceId: 'Light', propertyName: 'switch', exampleValue: 'ON' });
    expect(exampleProperty([{ serviceId: 'S', properties: [{ name: 't', dataType: 'int', min: 20 }] }])).toMatchObject({
      exampleValue: 20,
    });
    expect(exampleProperty([])).toEqual({});
  });
});
