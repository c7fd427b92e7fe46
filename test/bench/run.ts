// `npm run bench`: runs every test/bench/*.bench.ts and prints its figures with the baseline it ran beside.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './harness.js';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || f.includes(only))
  .sort();

if (files.length === 0) {
  console.log('No benchmarks yet' + (only ? ` matching "${only}"` : '') + '.');
  process.exit(0);
}

for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { benchmark: Benchmark };
  const { benchmark } = mod;
  console.log(`\n# ${benchmark.name}  (${file})`);
  const result = await benchmark.run();
  for (const row of result.rows)
    console.log(`  ${row.label.padEnd(48)} ${row.value.toFixed(1).padStart(12)} ${row.unit}`);
  if (result.ratio) console.log(`  ratio ${result.ratio.label}: ${result.ratio.value.toFixed(3)}`);
}
