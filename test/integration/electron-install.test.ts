// `npm install` fetches Electron's binary in our prepare step (Electron's own postinstall is switched off, since its
// failure rolls back the whole install). Where the download works, `npm start` runs Electron; where it fails, the
// install goes on and `npm start` serves the headless workbench. A mirror on 127.0.0.1 stands in for the download
// host: @electron/get's documented ELECTRON_MIRROR, with the mirror's own SHASUMS256.txt.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { runCommand } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const root = join(import.meta.dirname, '..', '..');
const tempDir = useTempDirs();
const electronVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }
).version;
const zipName = `electron-v${electronVersion}-linux-${process.arch}.zip`;

/** A zip shaped like Electron's release: an `electron` executable and a `version` file. */
function fakeElectronZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('#!/bin/sh\necho "electron ran with: $*"\n'), 'electron', { mode: 0o100755 });
  zip.addBuffer(Buffer.from(`v${electronVersion}`), 'version');
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A project folder with our launcher scripts and a copy of the electron package (its dependencies via NODE_PATH). */
function projectCopy(): string {
  const dir = tempDir();
  for (const file of ['electron/start.mjs', 'core/bin/prepare.mjs']) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  const electron = join(dir, 'node_modules', 'electron');
  mkdirSync(electron, { recursive: true });
  for (const file of ['install.js', 'index.js', 'package.json', 'checksums.json'])
    copyFileSync(join(root, 'node_modules', 'electron', file), join(electron, file));
  writeFileSync(join(dir, 'package.json'), '{"name":"copy","private":true,"type":"module"}');
  return dir;
}

let mirror: Server;
let mirrorUrl = '';
let served = 0;

beforeAll(async () => {
  const zip = await fakeElectronZip();
  const sums = `${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`;
  mirror = createServer((req, res) => {
    served++;
    if (req.url === `/v${electronVersion}/${zipName}`) return res.end(zip);
    if (req.url === `/v${electronVersion}/SHASUMS256.txt`) return res.end(sums);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as { port: number }).port}/`;
});
afterAll(() => new Promise<void>((r) => mirror.close(() => r())));

const envFor = (dir: string, mirrorBase: string) => ({
  NODE_PATH: join(root, 'node_modules'),
  ELECTRON_MIRROR: mirrorBase,
  electron_use_remote_checksums: '1',
  electron_config_cache: join(dir, 'cache'),
  ELECTRON_SKIP_BINARY_DOWNLOAD: '',
});

describe.skipIf(process.platform !== 'linux')('Electron binary at install time', () => {
  it('is downloaded by prepare where the download works, and `npm start` then runs Electron', async () => {
    const dir = projectCopy();
    const prepare = await runCommand(process.execPath, [join(dir, 'core', 'bin', 'prepare.mjs')], {
      env: envFor(dir, mirrorUrl),
      timeoutMs: 60_000,
    });
    expect(prepare.stdout).toContain('prepare: Electron binary installed');
    expect(prepare.code).toBe(0);
    expect(readFileSync(join(dir, 'node_modules', 'electron', 'path.txt'), 'utf8')).toBe('electron');

    // start.mjs rebuilds only what is missing: give it a built UI and Electron bundle.
    mkdirSync(join(dir, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'renderer', 'index.html'), '<div id="root"></div>');
    mkdirSync(join(dir, 'dist', 'electron'), { recursive: true });
    for (const f of ['main.js', 'preload.cjs', 'core-process.js']) writeFileSync(join(dir, 'dist', 'electron', f), '');
    const start = await runCommand(process.execPath, [join(dir, 'electron', 'start.mjs'), '--lab'], {
      env: envFor(dir, mirrorUrl),
      timeoutMs: 30_000,
    });
    expect(start.stdout).toContain(`electron ran with: ${dir} --lab`);
    expect(start.code).toBe(0);
  });

  it('does not fail the install when the download fails, and says how to fetch it later', async () => {
    const dir = projectCopy();
    const before = served;
    const prepare = await runCommand(process.execPath, [join(dir, 'core', 'bin', 'prepare.mjs')], {
      env: envFor(dir, `${mirrorUrl}missing/`),
      timeoutMs: 60_000,
    });
    expect(served).toBeGreaterThan(before);
    expect(prepare.code).toBe(0);
    expect(prepare.stdout).toContain("prepare: Electron's binary could not be downloaded");
    expect(prepare.stdout).toContain('node node_modules/electron/install.js');
    expect(existsSync(join(dir, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });
});
