#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx iotwb …` works right after `npm install`.
import { register } from 'tsx/esm/api';

// Started by npm (`npx iotwb`, `npm run serve`): a `kill` of the npm process ends npm and its shell but would leave
// us running with our ports bound. When the process that started us goes away, we stop as if we got SIGTERM.
if (process.env.npm_command) {
  const launcher = process.ppid;
  setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGTERM');
  }, 250).unref();
}

register();
const { runCli } = await import('../cli.ts');
const code = await runCli(process.argv.slice(2));
process.exit(code);
