// The sample NB-IoT water meter product with its layout codec active: what the LwM2M tests register meters of.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCodecSamplesDir } from '../../core/codecs/codec-samples.js';
import { apiRoutes } from '../../core/contract/index.js';
import type { contractCaller } from './device-api.js';

export async function createWaterMeterProduct(call: ReturnType<typeof contractCaller>) {
  const product = await call(apiRoutes.createProductFromSample, {
    params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' },
  });
  const layout = readFileSync(join(defaultCodecSamplesDir(), 'water-meter', 'layout.json'), 'utf8');
  const saved = await call(apiRoutes.saveCodecVersion, {
    params: { id: product.id },
    body: { kind: 'layout', source: layout },
  });
  await call(apiRoutes.activateCodecVersion, { params: { id: product.id, version: saved.version } });
  return product;
}
