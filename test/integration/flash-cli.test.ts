// `iotwb flash-sim` and `iotwb flash` as real processes on a socat pty pair: JSON progress lines, the exit
// status, the record in the data folder, and a clear failure for the wrong chip.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { runIotwb } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';
import type { ChildProcess } from 'node:child_process';

const tempDir = useTempDirs('iotwb-flash-cli-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runIotwb(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function simulator(chip: string): Promise<PtyPair> {
  const pty = await createPtyPair(join(tempDir(), 'pty'));
  const child: ChildProcess = runIotwb(['flash-sim', '--chip', chip, '--serial', pty.devicePath]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('flash-sim: emulated') && resolve());
    child.once('exit', (code) => reject(new Error(`flash-sim exited with ${code}`)));
  });
  cleanups.push(async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await pty.close();
  });
  return pty;
}

describe('iotwb flash and flash-sim', () => {
  it('flashes the emulated ESP32 with JSON progress and records the operation in the data folder', async () => {
    const pty = await simulator('esp32');
    const dir = tempDir();
    const app = join(dir, 'app.bin');
    writeFileSync(app, randomBytes(150_000));
    const result = await run([
      'flash',
      '--port',
      pty.hostPath,
      '--chip',
      'esp32',
      '--baud',
      '921600',
      '--unsigned',
      `${app}@0x10000`,
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.phase === 'write' && typeof l.bytesPerSecond === 'number')).toBe(true);
    const final = lines.at(-1) as {
      result: { status: string; chip: string; verified: boolean; images: { offset: number }[] };
    };
    expect(final.result).toMatchObject({ status: 'ok', chip: 'esp32', verified: true, images: [{ offset: 0x10000 }] });
    const db = new BetterSqlite3(join(dir, 'workbench.db'), { readonly: true });
    expect(db.prepare('SELECT status, port FROM flash_operations').all()).toEqual([
      { status: 'ok', port: pty.hostPath },
    ]);
    db.close();
  });

  it('flashes the emulated STM32 over an 8N1 pty and exits 2 on a bad offset', async () => {
    const pty = await simulator('stm32f1');
    const dir = tempDir();
    const fw = join(dir, 'fw.bin');
    writeFileSync(fw, randomBytes(2000));
    const refused = await run(['flash', '--port', pty.hostPath, '--chip', 'stm32', fw, '--data-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('choose to write it unsigned (allowUnsigned, or --unsigned on the command line)');
    const ok = await run([
      'flash',
      '--port',
      pty.hostPath,
      '--chip',
      'stm32',
      '--parity',
      'none',
      '--unsigned',
      `${fw}@0x08000000`,
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await run(['flash', '--port', pty.hostPath, '--chip', 'stm32', `${fw}@zz`, '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad offset "zz"/);
  });
});
