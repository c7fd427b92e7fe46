// The `$ota` side of a virtual MQTT device: what it answers to version_query, and that garbage from the platform
// (any event type, any paras) never throws and never starts a download.
import { describe, expect, it } from 'vitest';
import { MqttOtaDevice } from '../../../../../core/simulator/mqtt/mqtt-ota-device.js';

function device(faults = {}) {
  const reports: { eventType: string; paras: Record<string, unknown> }[] = [];
  const ota = new MqttOtaDevice({
    firmwareVersion: 'V1.0.0',
    softwareVersion: 'SW1.0.0',
    faults,
    report: (eventType, paras) => reports.push({ eventType, paras }),
    goOffline: () => undefined,
  });
  return { ota, reports };
}

/** A deterministic generator of odd JSON values. */
function garbage(seed: number): unknown {
  const pick = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const leaf = () =>
    [null, undefined, 0, -1, 1e308, NaN, '', 'x'.repeat(pick(300)), true, [], {}, 'http://', 'ftp://a/b'][pick(13)];
  const value = (depth: number): unknown => {
    if (depth > 2 || pick(3) === 0) return leaf();
    if (pick(2) === 0) return Array.from({ length: pick(4) }, () => value(depth + 1));
    const keys = ['version', 'url', 'file_size', 'access_token', 'sign', 'zzz'];
    return Object.fromEntries(keys.filter(() => pick(2) === 0).map((k) => [k, value(depth + 1)]));
  };
  return value(0);
}

describe('MqttOtaDevice', () => {
  it('answers version_query with the versions it runs', () => {
    const { ota, reports } = device();
    ota.handle('version_query', {});
    expect(reports).toEqual([{ eventType: 'version_report', paras: { fw_version: 'V1.0.0', sw_version: 'SW1.0.0' } }]);
  });

  it('answers an upgrade it cannot take now with the fault result code, without downloading', () => {
    const { ota, reports } = device({ lowBattery: true });
    ota.handle('firmware_upgrade', { version: 'V2', url: 'http://127.0.0.1:9/x', file_size: 10, access_token: 't' });
    expect(reports).toEqual([
      {
        eventType: 'upgrade_progress_report',
        paras: { result_code: 4, progress: 0, version: null, description: 'battery too low to upgrade' },
      },
    ]);
    expect(ota.statuses).toEqual([]);
  });

  it('never throws on garbage and reports an upgrade it cannot read as a download failure', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const { ota, reports } = device();
      const eventType = ['firmware_upgrade', 'software_upgrade', 'version_query', 'other', 7, null][seed % 6];
      const paras = garbage(seed);
      expect(() => ota.handle(eventType, paras)).not.toThrow();
      for (const r of reports) {
        if (r.eventType === 'upgrade_progress_report') expect(r.paras.result_code).toBe(6);
        else expect(r.eventType).toBe('version_report');
      }
      expect(ota.bytesHeld).toBe(0);
    }
  });
});
