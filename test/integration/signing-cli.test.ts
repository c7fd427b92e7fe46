// The offline signing tool as a release engineer runs it: iotwb keygen, sign, verify, with their exit codes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRawZip, writeZip } from '../unit/core/signing/zip-builders.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { iotwbBin } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-signcli-');
const PASS = 'Release-2024';

function iotwb(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(process.execPath, [iotwbBin, ...args], { env: { IOTWB_PASSPHRASE: '', ...env } });
}

describe('iotwb keygen / sign / verify', () => {
  it('generates, signs and verifies, exiting 0, with --json for scripts', async () => {
    const dir = tempDir();
    const keys = join(dir, 'keys');
    const gen = await iotwb(['keygen', '--algorithm', 'ecdsa-secp256k1', '--out', keys, '--json'], {
      IOTWB_PASSPHRASE: PASS,
    });
    expect(gen.code).toBe(0);
    const generated = JSON.parse(gen.stdout) as { fingerprint: string };
    expect(readFileSync(join(keys, 'private.pem'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');

    const pkg = await writeZip(join(dir, 'fw.zip'), { 'fw.bin': Buffer.alloc(5000, 3) });
    const passFile = join(dir, 'pass.txt');
    writeFileSync(passFile, `${PASS}\n`);
    const signed = await iotwb([
      'sign',
      '--key',
      join(keys, 'private.pem'),
      '--passphrase-file',
      passFile,
      '--json',
      pkg,
    ]);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({
      ok: true,
      outputPath: join(dir, 'fw_signed.zip'),
      fingerprint: generated.fingerprint,
    });

    const ok = await iotwb(['verify', '--key', join(keys, 'public.pem'), join(dir, 'fw_signed.zip')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Valid: 1 entries');
  });

  it('exits 1 with the reason on stderr for an invalid package', async () => {
    const dir = tempDir();
    await iotwb(['keygen', '--algorithm', 'ed25519', '--out', join(dir, 'k')], { IOTWB_PASSPHRASE: PASS });
    const plain = await writeZip(join(dir, 'plain.zip'), { 'a.txt': 'a' });
    const res = await iotwb(['verify', '--key', join(dir, 'k', 'public.pem'), plain]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/INVALID \(UNSIGNED\): the package is not signed/);
  });

  it('exits 1 on a wrong passphrase and on a hostile zip, writing nothing', async () => {
    const dir = tempDir();
    await iotwb(['keygen', '--algorithm', 'rsa-2048', '--out', join(dir, 'k')], { IOTWB_PASSPHRASE: PASS });
    const pkg = await writeZip(join(dir, 'p.zip'), { 'a.txt': 'a' });
    const wrong = await iotwb(['sign', '--key', join(dir, 'k', 'private.pem'), pkg], { IOTWB_PASSPHRASE: 'Nope-123' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong passphrase');
    const evil = await writeRawZip(join(dir, 'evil.zip'), [{ name: '../evil.sh', data: Buffer.from('x') }]);
    const refused = await iotwb(['sign', '--key', join(dir, 'k', 'private.pem'), evil], { IOTWB_PASSPHRASE: PASS });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('..');
    expect(existsSync(join(dir, 'evil_signed.zip'))).toBe(false);
  });

  it('exits 2 on usage errors and refuses a weak passphrase naming the failing part', async () => {
    const dir = tempDir();
    expect((await iotwb(['keygen', '--algorithm', 'dsa', '--out', dir])).code).toBe(2);
    const noPass = await iotwb(['keygen', '--algorithm', 'ed25519', '--out', dir]);
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toContain('IOTWB_PASSPHRASE');
    const weak = await iotwb(['keygen', '--algorithm', 'ed25519', '--out', dir], { IOTWB_PASSPHRASE: 'abcdefgh' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('uses only lower case letters');
    expect(existsSync(join(dir, 'private.pem'))).toBe(false);
  });
});
