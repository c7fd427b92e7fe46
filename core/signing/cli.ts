// `iotwb keygen|sign|verify`: the signing tool offline, for release engineers and scripts.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliCommand, CliIo } from '../cli.js';
import { signingAlgorithmSchema } from '../contract/signing.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from './keys.js';
import { writeKeyFiles } from './key-store.js';
import { signPackage, type Progress } from './sign-package.js';
import { SigningError } from './signing-error.js';
import { verifyPackage } from './verify-package.js';

/** What the commands need from the process, replaceable in tests. */
export interface CliEnvironment {
  env: Record<string, string | undefined>;
  /** Reads a line from the terminal without echo; undefined when there is no terminal. */
  promptHidden?: (question: string) => Promise<string>;
  /** Progress line on a terminal; undefined when stderr is not a terminal. */
  progress?: (text: string) => void;
}

export function processEnvironment(): CliEnvironment {
  const tty = process.stdin.isTTY && process.stderr.isTTY;
  return {
    env: process.env,
    promptHidden: tty ? promptHidden : undefined,
    progress: process.stderr.isTTY ? (text) => process.stderr.write(`\r${text}\x1b[K`) : undefined,
  };
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolvePromise, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePromise(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

class UsageError extends Error {}

async function readPassphrase(
  values: Record<string, string | boolean | undefined>,
  environment: CliEnvironment,
  confirm: boolean,
): Promise<string> {
  const file = values['passphrase-file'];
  if (typeof file === 'string') {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new UsageError(`cannot read the passphrase file ${file}`);
    });
    return text.split(/\r?\n/)[0] ?? '';
  }
  const fromEnv = environment.env.IOTWB_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!environment.promptHidden) {
    throw new UsageError(
      'a passphrase is needed: use --passphrase-file FILE, set IOTWB_PASSPHRASE, or run in a terminal',
    );
  }
  const first = await environment.promptHidden('Passphrase: ');
  if (confirm && (await environment.promptHidden('Repeat the passphrase: ')) !== first) {
    throw new UsageError('the two passphrases differ');
  }
  return first;
}

function progressReporter(environment: CliEnvironment, json: boolean, verb: string) {
  if (json || !environment.progress) return { onProgress: undefined, done: () => undefined };
  const show = environment.progress;
  let last = -1;
  return {
    onProgress: ({ done, total }: Progress) => {
      const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
      if (percent === last) return;
      last = percent;
      show(`${verb} ${percent}% (${(done / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB)`);
    },
    done: () => show(''),
  };
}

function failure(io: CliIo, command: string, json: boolean, error: unknown): number {
  if (error instanceof UsageError) {
    io.err(`iotwb ${command}: ${error.message}`);
    return 2;
  }
  const code = error instanceof SigningError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  if (json) io.out(JSON.stringify({ ok: false, code, message }));
  io.err(`iotwb ${command}: ${message}`);
  return 1;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ${what}`);
  return positionals[0]!;
}

const passphraseOptions = {
  'passphrase-file': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function createKeygenCommand(environment: () => CliEnvironment = processEnvironment): CliCommand {
  return {
    summary: 'Generate a signing key pair (public.pem, passphrase-protected private.pem)',
    usage: `iotwb keygen --algorithm ecdsa-secp256k1|rsa-2048|ecdsa-p256|ed25519 --out DIR [--passphrase-file F] [--json]
  The passphrase (>= 6 characters, at least two of upper case, lower case, digits, special characters) is read
  from --passphrase-file, IOTWB_PASSPHRASE, or the terminal (no echo).`,
    options: { algorithm: { type: 'string' }, out: { type: 'string' }, ...passphraseOptions },
    async run({ values }, io) {
      const json = values.json === true;
      try {
        const algorithm = signingAlgorithmSchema.safeParse(values.algorithm);
        if (!algorithm.success) {
          throw new UsageError(`--algorithm must be one of ${signingAlgorithmSchema.options.join(', ')}`);
        }
        if (typeof values.out !== 'string') throw new UsageError('--out DIR is needed');
        const passphrase = await readPassphrase(values, environment(), true);
        const pair = await generateKeyPair(algorithm.data, passphrase);
        const dir = resolve(values.out);
        await writeKeyFiles(dir, pair.publicPem, pair.privatePem);
        const result = {
          ok: true,
          algorithm: pair.algorithm,
          fingerprint: pair.fingerprint,
          publicKey: join(dir, 'public.pem'),
          privateKey: join(dir, 'private.pem'),
        };
        if (json) io.out(JSON.stringify(result));
        else io.out(`Wrote ${result.publicKey} and ${result.privateKey}\nfingerprint ${pair.fingerprint}`);
        return 0;
      } catch (error) {
        return failure(io, 'keygen', json, error);
      }
    },
  };
}

export function createSignCommand(environment: () => CliEnvironment = processEnvironment): CliCommand {
  return {
    summary: 'Sign a package zip: writes <name>_signed.zip beside it',
    usage: `iotwb sign --key private.pem [--out FILE_signed.zip] [--passphrase-file F] [--json] FILE.zip`,
    options: { key: { type: 'string' }, out: { type: 'string' }, ...passphraseOptions },
    async run({ values, positionals }, io) {
      const json = values.json === true;
      const env = environment();
      try {
        const input = onePositional(positionals, 'zip file to sign');
        if (typeof values.key !== 'string') throw new UsageError('--key private.pem is needed');
        const pem = await readFile(values.key, 'utf8').catch(() => {
          throw new UsageError(`cannot read the key file ${String(values.key)}`);
        });
        const passphrase = await readPassphrase(values, env, false);
        const key = loadPrivateKey(pem, passphrase);
        const progress = progressReporter(env, json, 'Signing');
        const result = await signPackage(input, key, {
          outputPath: typeof values.out === 'string' ? values.out : undefined,
          onProgress: progress.onProgress,
        });
        progress.done();
        if (json) io.out(JSON.stringify({ ok: true, ...result }));
        else io.out(`Signed ${result.entries} entries: ${result.outputPath}\nfingerprint ${result.fingerprint}`);
        return 0;
      } catch (error) {
        return failure(io, 'sign', json, error);
      }
    },
  };
}

export function createVerifyCommand(environment: () => CliEnvironment = processEnvironment): CliCommand {
  return {
    summary: 'Verify a signed package zip with a public key (exit 0 valid, 1 invalid)',
    usage: `iotwb verify --key public.pem [--json] FILE_signed.zip`,
    options: { key: { type: 'string' }, json: { type: 'boolean' } },
    async run({ values, positionals }, io) {
      const json = values.json === true;
      const env = environment();
      try {
        const input = onePositional(positionals, 'signed zip to verify');
        if (typeof values.key !== 'string') throw new UsageError('--key public.pem is needed');
        const pem = await readFile(values.key, 'utf8').catch(() => {
          throw new UsageError(`cannot read the key file ${String(values.key)}`);
        });
        const progress = progressReporter(env, json, 'Verifying');
        const result = await verifyPackage(input, loadPublicKey(pem), { onProgress: progress.onProgress });
        progress.done();
        if (json) io.out(JSON.stringify(result));
        if (result.valid) {
          if (!json)
            io.out(`Valid: ${result.entries} entries, signed ${result.signedAt ?? ''} by ${result.keyFingerprint}`);
          return 0;
        }
        io.err(`INVALID (${result.code ?? 'unknown'}): ${result.message}`);
        return 1;
      } catch (error) {
        return failure(io, 'verify', json, error);
      }
    },
  };
}
