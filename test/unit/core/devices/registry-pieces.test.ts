import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, csvLine } from '../../../../core/devices/csv.js';
import { secretProblem } from '../../../../core/devices/device-registry.js';
import { createSecretBox, loadOrCreateSecretKey } from '../../../../core/devices/secret-box.js';
import { LoginBackoff } from '../../../../core/access/mqtt/login-backoff.js';
import { parseEventTime } from '../../../../core/data/event-time.js';

describe('device secrets at rest', () => {
  it('keeps the key in a 0600 file and binds each sealed secret to its device', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotwb-key-'));
    try {
      const key = loadOrCreateSecretKey(dir);
      expect(statSync(join(dir, 'device-secrets.key')).mode & 0o777).toBe(0o600);
      expect(loadOrCreateSecretKey(dir).equals(key)).toBe(true);
      const box = createSecretBox(key);
      const sealed = box.seal('s3cret-value', 'dev-1');
      expect(sealed.includes(Buffer.from('s3cret-value'))).toBe(false);
      expect(box.open(sealed, 'dev-1')).toBe('s3cret-value');
      expect(() => box.open(sealed, 'dev-2')).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wants hex PSKs for CoAP/LwM2M and printable secrets for MQTT', () => {
    expect(secretProblem('0011aabb', 'CoAP')).toBeUndefined();
    expect(secretProblem('0011aab', 'LWM2M')).toMatch(/hex/);
    expect(secretProblem('not hex!', 'CoAP')).toMatch(/hex/);
    expect(secretProblem('pass word', 'MQTT')).toMatch(/printable/);
    expect(secretProblem('short', 'MQTT')).toMatch(/8–64/);
  });
});

describe('CSV', () => {
  it('reads quoted fields, doubled quotes and CRLF, and writes them back', () => {
    expect(parseCsv('a,"b,c"\r\n"d""e",\n')).toEqual({
      ok: true,
      rows: [
        ['a', 'b,c'],
        ['d"e', ''],
      ],
    });
    expect(csvLine(['x,y', 'q"', 3])).toBe('"x,y","q""",3\r\n');
  });

  it('reports an unterminated quote and never throws on garbage', () => {
    expect(parseCsv('a,"b')).toMatchObject({ ok: false, error: { code: 'CSV_UNTERMINATED_QUOTE' } });
    for (let i = 0; i < 2000; i++) {
      const s = Array.from(
        { length: Math.floor(Math.random() * 30) },
        () => '",\r\nab'[Math.floor(Math.random() * 7)],
      ).join('');
      expect(() => parseCsv(s)).not.toThrow();
    }
  });
});

describe('login back-off', () => {
  it('lets a few failures through, then blocks the source for growing periods', () => {
    let now = 0;
    const backoff = new LoginBackoff(() => now);
    for (let i = 0; i < 5; i++) backoff.failed('10.0.0.1');
    expect(backoff.blockedFor('10.0.0.1')).toBe(0);
    backoff.failed('10.0.0.1');
    expect(backoff.blockedFor('10.0.0.1')).toBe(1000);
    expect(backoff.blockedFor('10.0.0.2')).toBe(0);
    now += 1000;
    backoff.failed('10.0.0.1');
    expect(backoff.blockedFor('10.0.0.1')).toBe(2000);
    backoff.succeeded('10.0.0.1');
    expect(backoff.blockedFor('10.0.0.1')).toBe(0);
  });
});

describe('event times', () => {
  it('reads the compact and ISO forms, and rejects impossible dates', () => {
    expect(parseEventTime('20161219T114920Z')).toBe(Date.UTC(2016, 11, 19, 11, 49, 20));
    expect(parseEventTime('2016-12-19T11:49:20.123Z')).toBe(Date.UTC(2016, 11, 19, 11, 49, 20, 123));
    expect(parseEventTime('20160231T114920Z')).toBeUndefined();
    expect(parseEventTime(12)).toBeUndefined();
    expect(parseEventTime('yesterday')).toBeUndefined();
  });
});
