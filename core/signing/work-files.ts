// The work area in the data folder: files sent from the browser are stored here so sign, verify and the package
// builder can take them by path like any other file on this machine.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DomainError } from '../domain-error.js';
import type { BinaryDownload } from '../contract/define.js';
import type { WorkFile } from '../contract/signing.js';

export const WORK_FOLDER = 'work';
/** The API sends downloads from memory; larger packages are taken from their path on this machine instead. */
export const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

/** Each upload gets its own folder, so the signed output (`<name>_signed.zip` beside it) never collides. */
export async function storeWorkFile(dataDir: string, name: string, bytes: Uint8Array): Promise<WorkFile> {
  const folder = join(dataDir, WORK_FOLDER, randomUUID());
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, bytes);
  return { path, name, size: bytes.byteLength };
}

export async function readZipForDownload(path: string): Promise<BinaryDownload> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DomainError('FILE_NOT_FOUND', `no file at ${path}`, 'query.path');
  if (info.size > MAX_DOWNLOAD_BYTES) {
    throw new DomainError(
      'FILE_TOO_LARGE',
      `${path} is ${info.size} bytes; downloads go up to ${MAX_DOWNLOAD_BYTES} bytes, open the file from its folder instead`,
      'query.path',
    );
  }
  return { contentType: 'application/zip', fileName: basename(path), bytes: await readFile(path) };
}
