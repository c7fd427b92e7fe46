#!/usr/bin/env node
// Runs a TypeScript entry file of the project with tsx: `node core/bin/run-ts.mjs file.ts [args]`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-ts.mjs <file.ts> [args]');
  process.exit(2);
}
// The script sees its own arguments as if it had been started directly.
process.argv.splice(1, 2, resolve(file));
await import(pathToFileURL(resolve(file)).href);
