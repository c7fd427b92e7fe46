// Contract of offline signing: key algorithms, the passphrase rule, key store, sign and verify routes.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';

export const signingAlgorithms = ['ecdsa-secp256k1', 'rsa-2048', 'ecdsa-p256', 'ed25519'] as const;
export const signingAlgorithmSchema = z.enum(signingAlgorithms);
export type SigningAlgorithm = z.infer<typeof signingAlgorithmSchema>;

/** How each algorithm is named in SIGNATURE.json (the platform tool's names for its two). */
export const signatureAlgorithmNames: Record<SigningAlgorithm, string> = {
  'ecdsa-secp256k1': 'ECDSA_256K1+SHA256',
  'rsa-2048': 'RSA2048+SHA256',
  'ecdsa-p256': 'ECDSA_P256+SHA256',
  ed25519: 'ED25519',
};

export const PASSPHRASE_MIN_LENGTH = 6;
const characterClasses = [
  { name: 'upper case letters', test: /[A-Z]/ },
  { name: 'lower case letters', test: /[a-z]/ },
  { name: 'digits', test: /[0-9]/ },
  { name: 'special characters', test: /[^A-Za-z0-9]/ },
] as const;

export interface PassphraseCheck {
  ok: boolean;
  /** Which part of the rule fails, in words; undefined when ok. */
  problem?: 'too-short' | 'too-few-kinds';
  message?: string;
  /** 0 (unusable) … 4 (strong), for strength feedback while typing. */
  strength: number;
  kindsUsed: string[];
}

/** The platform signing tool's rule: >= 6 characters, at least two of upper, lower, digits, specials. */
export function checkPassphrase(passphrase: string): PassphraseCheck {
  const used = characterClasses.filter((c) => c.test.test(passphrase)).map((c) => c.name);
  const length = [...passphrase].length;
  let strength = Math.min(4, Math.max(0, used.length - 1) + (length >= 12 ? 1 : 0) + (length >= 16 ? 1 : 0));
  if (length < PASSPHRASE_MIN_LENGTH) {
    return {
      ok: false,
      problem: 'too-short',
      message: `The passphrase is too short: ${length} characters, at least ${PASSPHRASE_MIN_LENGTH} are needed.`,
      strength: 0,
      kindsUsed: used,
    };
  }
  if (used.length < 2) {
    const missing = characterClasses.map((c) => c.name).filter((n) => !used.includes(n));
    return {
      ok: false,
      problem: 'too-few-kinds',
      message:
        used.length === 0
          ? 'The passphrase must mix at least two kinds of characters: upper case letters, lower case letters, digits, special characters.'
          : `The passphrase uses only ${used[0]}; add at least one of: ${missing.join(', ')}.`,
      strength: 0,
      kindsUsed: used,
    };
  }
  strength = Math.max(1, strength);
  return { ok: true, strength, kindsUsed: used };
}

export const passphraseSchema = z.string().superRefine((value, ctx) => {
  const check = checkPassphrase(value);
  if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message ?? 'invalid passphrase' });
});

/** Names of keys in the data folder's key store: a folder name, nothing that could leave the folder. */
export const keyNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const keyInfoSchema = z.object({
  name: z.string(),
  algorithm: signingAlgorithmSchema,
  /** Hex SHA-256 of the public key's SPKI DER encoding. */
  fingerprint: z.string(),
  hasPrivateKey: z.boolean(),
  publicKeyPath: z.string(),
  privateKeyPath: z.string().optional(),
  createdAt: z.number(),
});
export type KeyInfo = z.infer<typeof keyInfoSchema>;

export const signingFailureCodes = [
  'WRONG_PASSPHRASE',
  'NOT_A_ZIP',
  'UNSAFE_ZIP',
  'DUPLICATE_ENTRY',
  'UNSIGNED',
  'ALREADY_SIGNED',
  'SIGNATURE_INVALID',
  'ENTRY_CHANGED',
  'ENTRY_ADDED',
  'ENTRY_REMOVED',
  'MALFORMED_MANIFEST',
  'BAD_KEY',
  'FILE_NOT_FOUND',
] as const;
export const signingFailureCodeSchema = z.enum(signingFailureCodes);
export type SigningFailureCode = z.infer<typeof signingFailureCodeSchema>;

export const signingProblemSchema = z.object({
  code: signingFailureCodeSchema,
  message: z.string(),
  entry: z.string().optional(),
});
export type SigningProblem = z.infer<typeof signingProblemSchema>;

export const verifyResultSchema = z.object({
  valid: z.boolean(),
  /** First problem's code and message when invalid. */
  code: signingFailureCodeSchema.optional(),
  message: z.string(),
  problems: z.array(signingProblemSchema),
  keyFingerprint: z.string(),
  /** The fingerprint SIGNATURE.json names, when it could be read. */
  signedWithFingerprint: z.string().optional(),
  algorithm: z.string().optional(),
  signedAt: z.string().optional(),
  entries: z.number().int(),
  bytes: z.number(),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

export const signResultSchema = z.object({
  outputPath: z.string(),
  fingerprint: z.string(),
  algorithm: z.string(),
  entries: z.number().int(),
  bytes: z.number(),
  signedAt: z.string(),
});
export type SignResult = z.infer<typeof signResultSchema>;

const pathSchema = z.string().min(1, 'a file path is needed');

/** A plain file name for a file sent from the browser: no folders, nothing that could leave the work folder. */
export const workFileNameSchema = z
  .string()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^/\\\u0000-\u001f]+$/, 'a plain file name without "/" or "\\"')
  .refine((n) => n !== '.' && n !== '..', { message: 'a plain file name' });

export const workFileSchema = z.object({
  /** Where the core stored the file; pass it as `inputPath` / `filePath` to sign, verify or build. */
  path: z.string(),
  name: z.string(),
  size: z.number().int(),
});
export type WorkFile = z.infer<typeof workFileSchema>;

export const signingRoutes = {
  listKeys: defineRoute({
    method: 'GET',
    path: '/api/signing/keys',
    tag: 'signing',
    summary: 'Key pairs in the data folder (by path and fingerprint; never key material)',
    response: z.object({ keys: z.array(keyInfoSchema), keysDir: z.string() }),
  }),
  generateKey: defineRoute({
    method: 'POST',
    path: '/api/signing/keys',
    tag: 'signing',
    summary: 'Generate a key pair; the private key is encrypted with the passphrase (never stored or logged)',
    body: z.object({ name: keyNameSchema, algorithm: signingAlgorithmSchema, passphrase: passphraseSchema }),
    response: keyInfoSchema,
    status: 201,
  }),
  importKey: defineRoute({
    method: 'POST',
    path: '/api/signing/keys/import',
    tag: 'signing',
    summary:
      'Import a PEM key file (private or public) from a path; an unencrypted private key is encrypted with newPassphrase',
    body: z.object({
      name: keyNameSchema,
      path: pathSchema,
      passphrase: z.string().optional(),
      newPassphrase: passphraseSchema.optional(),
    }),
    response: keyInfoSchema,
    status: 201,
  }),
  deleteKey: defineRoute({
    method: 'DELETE',
    path: '/api/signing/keys/:name',
    tag: 'signing',
    summary: 'Delete a key pair from the data folder',
    params: z.object({ name: keyNameSchema }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  sign: defineRoute({
    method: 'POST',
    path: '/api/signing/sign',
    tag: 'signing',
    summary: 'Sign a zip on this machine with a stored key; writes <name>_signed.zip beside it',
    body: z.object({
      inputPath: pathSchema,
      keyName: keyNameSchema,
      passphrase: z.string(),
      outputPath: z.string().min(1).optional(),
      /** Progress is published as `task` events with this id. */
      progressId: z.string().max(64).optional(),
    }),
    response: signResultSchema,
  }),
  verify: defineRoute({
    method: 'POST',
    path: '/api/signing/verify',
    tag: 'signing',
    summary: 'Verify a signed zip with a stored key or a public key file; invalid is a 200 with the reasons',
    body: z
      .object({
        inputPath: pathSchema,
        keyName: keyNameSchema.optional(),
        publicKeyPath: z.string().min(1).optional(),
        progressId: z.string().max(64).optional(),
      })
      .refine((b) => (b.keyName === undefined) !== (b.publicKeyPath === undefined), {
        message: 'give exactly one of keyName or publicKeyPath',
        path: ['keyName'],
      }),
    response: verifyResultSchema,
  }),
  uploadWorkFile: defineRoute({
    method: 'POST',
    path: '/api/signing/files',
    tag: 'signing',
    summary:
      "Store a file sent from the browser (a zip to sign, a vendor file to package) in the data folder's work area",
    query: z.object({ name: workFileNameSchema }),
    body: 'binary',
    response: workFileSchema,
    status: 201,
  }),
  downloadZip: defineRoute({
    method: 'GET',
    path: '/api/signing/files/download',
    tag: 'signing',
    summary: 'Download a zip on this machine (a built or signed package) by its path',
    query: z.object({ path: pathSchema.regex(/\.zip$/i, 'only .zip files can be downloaded') }),
    response: binaryDownloadSchema,
  }),
} as const;
