#!/usr/bin/env node
// `npm start`: builds what is missing, then runs the desktop app, or the headless workbench when Electron's binary is absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The binary path `require('electron')` returns, or null when the package or its download is missing. */
function findElectronBinary() {
  try {
    const binary = createRequire(join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function electronBuildIsStale() {
  const outputs = ['main.js', 'preload.cjs', 'core-process.js'].map((name) => join(root, 'dist', 'electron', name));
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const sources = ['electron', 'core', 'vite.electron.config.ts', 'package.json'].map((name) => join(root, name));
  return sources.some((source) => existsSync(source) && newestMtime(source) > built);
}

function run(command, commandArgs) {
  console.log(`> ${[command, ...commandArgs].join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Runs the child in the foreground: signals go to it, its exit code becomes ours. */
function handOver(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  // Ctrl+C in a terminal already reaches the child (same process group); a second SIGINT would make it
  // skip its clean shutdown. So SIGINT is forwarded only when no terminal is attached.
  const fromTerminal = process.stdin.isTTY === true;
  process.on('SIGINT', () => {
    if (!fromTerminal) child.kill('SIGINT');
  });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  // `kill` of the npm process that ran `npm start` ends npm and its shell, not us: follow it and stop the child.
  const launcher = process.ppid;
  setInterval(() => {
    if (process.ppid !== launcher) child.kill('SIGTERM');
  }, 250).unref();
  child.on('error', (error) => {
    console.error(`could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) run(npx, ['vite', 'build']);

const electronBinary = findElectronBinary();
if (electronBinary) {
  // The Electron bundle is only needed (and only built) when there is an Electron to run it.
  if (electronBuildIsStale()) run(npm, ['run', 'build:electron']);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  handOver(electronBinary, [root, ...args], env);
} else {
  console.log(
    'Electron is not installed on this machine (binary missing); starting the headless workbench instead — open the URL below in a browser.',
  );
  handOver(process.execPath, [join(root, 'core', 'bin', 'iotwb.mjs'), 'serve', ...args]);
}
