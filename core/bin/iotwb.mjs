#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx iotwb …` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli.ts');
const code = await runCli(process.argv.slice(2));
process.exit(code);
