// Reading the water-meter profile package: the zip with its safety checks, against parsing the same files unzipped.
import { writeZip } from '../../core/archive/safe-zip.js';
import { defaultSamplesDir, sampleEntries } from '../../core/products/product-samples.js';
import { readProfileEntries, readProfileZip } from '../../core/products/profile-package.js';
import { opsPerSecond, type Benchmark } from './harness.js';

export const benchmark: Benchmark = {
  name: 'profile import: water-meter zip -> product model',
  async run() {
    const entries = sampleEntries(defaultSamplesDir(), 'WaterMeter_TestUtf8ManuId_NBIoTDevice')!;
    const zip = await writeZip([...entries]);
    const unzipped = await opsPerSecond(() => (readProfileEntries(entries).ok ? 1 : 0));
    const zipped = await opsPerSecond(async () => ((await readProfileZip(zip)).ok ? 1 : 0));
    return {
      rows: [
        { label: 'zip bytes', value: zip.length, unit: 'B' },
        { label: 'profiles/s from the unzipped files (baseline)', value: Math.round(unzipped), unit: '/s' },
        { label: 'profiles/s from the zip (safe reader + parse + rules)', value: Math.round(zipped), unit: '/s' },
      ],
      ratio: { label: 'zip / unzipped', value: zipped / unzipped },
    };
  },
};
