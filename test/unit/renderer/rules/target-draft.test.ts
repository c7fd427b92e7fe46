// The forwarding target form: each kind of target's fields make a configuration the contract accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetBodySchema } from '../../../../core/contract/index.js';
import {
  emptyTargetFields,
  headersOf,
  targetConfigOf,
  usesTls,
  withoutPassword,
  type TargetFields,
} from '../../../../renderer/features/rules/targetDraft.js';

const fields = (patch: Partial<TargetFields>): TargetFields => ({ ...emptyTargetFields(), ...patch });
const accepted = (config: unknown) => targetBodySchema.safeParse({ name: 'x', config }).success;

describe('target configuration from the form', () => {
  it('makes an HTTPS webhook with headers and its TLS settings', () => {
    const config = targetConfigOf(
      'http',
      fields({
        url: ' https://hooks.example/iot ',
        headers: 'Authorization: Bearer a:b\n\nX-Empty\n: no name',
        ca: 'PEM',
        verifyServer: false,
      }),
    );
    expect(config).toEqual({
      kind: 'http',
      url: 'https://hooks.example/iot',
      headers: { Authorization: 'Bearer a:b', 'X-Empty': '' },
      tls: { ca: 'PEM', rejectUnauthorized: false },
    });
    expect(accepted(config)).toBe(true);
  });

  it('makes an MQTT target with topic template, QoS, credentials and client id, TLS only for mqtts', () => {
    const plain = targetConfigOf(
      'mqtt',
      fields({ url: 'mqtt://127.0.0.1:1883', qos: 2, username: ' ops ', password: ' s3cret ', clientId: 'wb' }),
    );
    expect(plain).toEqual({
      kind: 'mqtt',
      url: 'mqtt://127.0.0.1:1883',
      topic: 'iotwb/{appId}/{deviceId}',
      qos: 2,
      username: 'ops',
      password: ' s3cret ',
      clientId: 'wb',
    });
    const secure = targetConfigOf('mqtt', fields({ url: 'mqtts://broker:8883', topic: 'plant/{deviceId}', qos: 0 }));
    expect(secure).toMatchObject({ topic: 'plant/{deviceId}', qos: 0, tls: { rejectUnauthorized: true } });
    expect(accepted(plain) && accepted(secure)).toBe(true);
  });

  it('makes a file sink rotated by size and age', () => {
    const config = targetConfigOf('file', fields({ dir: ' out ', maxMiB: 2, maxAgeMinutes: 15 }));
    expect(config).toEqual({ kind: 'file', dir: 'out', maxBytes: 2 * 1024 * 1024, maxAgeMinutes: 15 });
    expect(accepted(config)).toBe(true);
  });

  it('makes an AMQP target on the default exchange with a durable queue', () => {
    const config = targetConfigOf('amqp', fields({ url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'iot' }));
    expect(config).toEqual({
      kind: 'amqp',
      url: 'amqp://guest:guest@127.0.0.1:5672',
      exchange: '',
      routingKey: 'iotwb.{appId}.{deviceId}',
      queue: 'iot',
    });
    expect(accepted(config)).toBe(true);
  });

  it('makes a Kafka target with brokers, SASL and TLS when asked', () => {
    const config = targetConfigOf(
      'kafka',
      fields({ brokers: 'k1:9092, k2:9093,', sasl: 'scram-sha-512', username: 'u', password: 'p', tls: true }),
    );
    expect(config).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9093'],
      topic: 'iotwb-data',
      clientId: 'iot-workbench',
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      tls: { rejectUnauthorized: true },
    });
    expect(accepted(config)).toBe(true);
    expect(targetConfigOf('kafka', fields({ brokers: 'k1:9092' }))).not.toHaveProperty('tls');
  });

  it('knows which targets speak TLS', () => {
    expect(usesTls('http', fields({ url: 'HTTPS://x' }))).toBe(true);
    expect(usesTls('amqp', fields({ url: 'amqp://x' }))).toBe(false);
    expect(usesTls('file', fields({ tls: true }))).toBe(false);
  });

  it('reads any header text without throwing', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof headersOf(text) === 'object'));
  });
});

describe('a target address shown in the table', () => {
  it('hides the password of a URL and keeps the rest', () => {
    expect(withoutPassword('amqp://guest:guest@127.0.0.1:5672/vh')).toBe('amqp://guest:•••@127.0.0.1:5672/vh');
    expect(withoutPassword('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(withoutPassword('https://user@host/p')).toBe('https://user@host/p');
  });
});
