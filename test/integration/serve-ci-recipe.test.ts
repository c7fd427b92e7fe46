// Scenario 5: an application server's CI runs the README's recipe (npx iotwb serve in the background, tests, kill).
// After the kill nothing of the workbench may be left running, and its ports must be free again.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const root = join(import.meta.dirname, '..', '..');
const tempDir = useTempDirs();

function readmeRecipe(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /<!-- ci-recipe:[^\n]*-->\n```bash\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README.md has no ci-recipe block');
  return match[1];
}

/** Processes whose command line names the folder (the workbench is started with --data-dir in it). */
function processesUsing(folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(folder) && !cmdline.includes('bash -c')) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

async function eventually(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe("the README's CI recipe", () => {
  it('logs in on the northbound API, and after `kill $PID` of npx nothing is left running and the ports are free', async () => {
    const lab = join(tempDir(), 'lab');
    const result = await runCommand('bash', ['-c', readmeRecipe()], { env: { LAB: lab }, timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('200');

    const ready = JSON.parse(readFileSync(`${lab}.ready`, 'utf8')) as { ports: Record<string, number> };
    expect(await eventually(() => processesUsing(lab).length === 0, 10_000), processesUsing(lab).join('\n')).toBe(true);
    for (const name of ['api', 'mqtt', 'northbound']) expect(await portIsFree(ready.ports[name]!), name).toBe(true);
  });
});
