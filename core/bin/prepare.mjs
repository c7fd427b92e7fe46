#!/usr/bin/env node
// npm `prepare`: builds the UI after `npm install` so `npm start` and `npx iotwb serve` serve it at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'node_modules', 'vite'))) {
  console.log('prepare: vite is not installed (production install); the UI is not rebuilt.');
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
