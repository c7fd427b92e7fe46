import { describe, expect, it } from 'vitest';
import { runCli } from '../../../core/cli.js';
import { workbenchVersion } from '../../../core/version.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('iotwb command line', () => {
  it('prints the version', async () => {
    const c = capture();
    expect(await runCli(['--version'], c.io)).toBe(0);
    expect(c.out).toEqual([workbenchVersion()]);
  });

  it('lists the commands in --help', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/serve\s+Run the workbench core headless/);
  });

  it('explains a command with --help', async () => {
    const c = capture();
    expect(await runCli(['serve', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('--mqtt-port N');
  });

  it('refuses an unknown command with exit code 2', async () => {
    const c = capture();
    expect(await runCli(['flash-everything'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('unknown command "flash-everything"');
  });

  it('names a bad option value', async () => {
    const c = capture();
    expect(await runCli(['serve', '--api-port', 'eighty'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--api-port must be a port number');
    const d = capture();
    expect(await runCli(['serve', '--no-such-flag'], d.io)).toBe(2);
    expect(d.err.join('\n')).toMatch(/no-such-flag/);
  });
});
