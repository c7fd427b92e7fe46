#!/usr/bin/env node
// npm `prepare`: fetches Electron's binary when it can (never failing the install), then builds the UI so
// `npm start` and `npx iotwb serve` serve it at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Electron's own postinstall is switched off (package.json `allowScripts`): its download failing would make npm
// roll back the whole install. The same download runs here; a machine that cannot reach it gets the headless
// workbench from `npm start`, and can fetch the binary later with `node node_modules/electron/install.js`.
const electronDir = join(root, 'node_modules', 'electron');
const electronInstalled = existsSync(join(electronDir, 'path.txt'));
if (existsSync(join(electronDir, 'install.js')) && !electronInstalled && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  const download = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (download.status === 0 && existsSync(join(electronDir, 'path.txt'))) {
    console.log('prepare: Electron binary installed; `npm start` opens the desktop app.');
  } else {
    const reason = (download.stderr ?? '').split('\n').find((line) => line.trim()) ?? 'no answer';
    console.log(
      `prepare: Electron's binary could not be downloaded (${reason.trim()}); \`npm start\` runs the headless ` +
        'workbench in a browser instead. To fetch it later: node node_modules/electron/install.js',
    );
  }
}

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
