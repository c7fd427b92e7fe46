import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../core/contract/index.js';
import { mergeLogLines } from '../../../renderer/app/logLines.js';
import {
  changedSettings,
  differsFromActive,
  fieldFromErrorPath,
  validateDraft,
} from '../../../renderer/features/settings/portSettingsForm.js';

const settings = { mqttPort: 1883, coapPort: 5683, deviceBindAddress: '0.0.0.0' };

describe('port settings form', () => {
  it('accepts valid ports and sends only what changed', () => {
    const result = validateDraft({ ...settings, mqttPort: 1884 });
    expect(result.invalidFields).toEqual([]);
    expect(changedSettings(settings, result.settings!)).toEqual({ mqttPort: 1884 });
  });

  it('names out-of-range, empty and fractional fields', () => {
    expect(validateDraft({ mqttPort: 70000, coapPort: '', deviceBindAddress: ' ' }).invalidFields.sort()).toEqual([
      'coapPort',
      'deviceBindAddress',
      'mqttPort',
    ]);
    expect(validateDraft({ ...settings, coapPort: 1.5 }).invalidFields).toEqual(['coapPort']);
  });

  it('notices when saved settings wait for the next start', () => {
    expect(differsFromActive(settings, settings)).toBe(false);
    expect(differsFromActive({ ...settings, coapPort: 5684 }, settings)).toBe(true);
  });

  it('maps API error paths to fields', () => {
    expect(fieldFromErrorPath('body.mqttPort')).toBe('mqttPort');
    expect(fieldFromErrorPath('coapPort')).toBe('coapPort');
    expect(fieldFromErrorPath('body')).toBeUndefined();
    expect(fieldFromErrorPath(undefined)).toBeUndefined();
  });
});

describe('log lines', () => {
  const entry = (seq: number): LogEntry => ({ seq, time: seq, level: 'info', source: 'core', message: `m${seq}` });

  it('merges history and live lines by sequence number, oldest first, without duplicates', () => {
    const merged = mergeLogLines([entry(1), entry(2), entry(3)], [entry(3), entry(5), entry(4)]);
    expect(merged.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps only the newest lines past the limit', () => {
    const many = Array.from({ length: 1500 }, (_, index) => entry(index));
    const merged = mergeLogLines([], many, 1000);
    expect(merged).toHaveLength(1000);
    expect(merged[0]!.seq).toBe(500);
    expect(merged.at(-1)!.seq).toBe(1499);
  });
});
