// The shipped water-meter codecs: the script and the layout both pass every shipped sample.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecService } from '../../../../core/codecs/codec-service.js';
import { codecMigrations, CodecStore } from '../../../../core/codecs/codec-store.js';
import { defaultCodecSamplesDir, readCodecSample } from '../../../../core/codecs/codec-samples.js';
import { hexToBytes } from '../../../../core/codecs/hex.js';
import type { CodecKind } from '../../../../core/contract/codecs.js';
import type { ProductModel } from '../../../../core/contract/product-model.js';

const fixedClock = {
  now: () => 1_700_000_000_000,
  setTimeout: () => ({ cancel() {} }),
  setInterval: () => ({ cancel() {} }),
};

function serviceWith(model?: ProductModel): CodecService {
  const db = new Database(':memory:');
  for (const m of codecMigrations) db.exec(m.sql);
  return new CodecService(new CodecStore(db), fixedClock, model ? { getModel: () => model } : undefined);
}

const services: CodecService[] = [];
afterAll(() => services.forEach((s) => s.dispose()));

describe.each<CodecKind>(['script', 'layout'])('the water-meter %s codec', (kind) => {
  it('passes every shipped sample', async () => {
    const service = serviceWith();
    services.push(service);
    const shipped = readCodecSample(defaultCodecSamplesDir(), 'water-meter', kind)!;
    expect(shipped.samples.length).toBeGreaterThanOrEqual(3);
    await service.saveVersion('wm', { kind, source: shipped.source });
    for (const s of shipped.samples) service.addSample('wm', s);
    const results = await service.runSamples('wm');
    expect(results.filter((r) => !r.pass)).toEqual([]);
  });

  it('keeps a garbage frame with its raw bytes and the reason', async () => {
    const service = serviceWith();
    services.push(service);
    const shipped = readCodecSample(defaultCodecSamplesDir(), 'water-meter', kind)!;
    await service.saveVersion('wm', { kind, source: shipped.source });
    const result = await service.decodeUplink('wm', hexToBytes('01FFFF')!);
    expect(result).toMatchObject({ ok: false, raw: '01FFFF' });
    if (!result.ok) expect(result.error.message.length).toBeGreaterThan(5);
  });
});
