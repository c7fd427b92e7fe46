// Builds upgrade packages: software (DM/<platform>/UpgradeDesc.json + <platform>/<file>) and firmware (.bin in .zip).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import yazl from 'yazl';
import { upgradeDescSchema, type SoftwareBuildInput, type UpgradeDesc } from '../../contract/packages.js';

export class PackageBuildError extends Error {
  constructor(
    readonly code: 'FILE_NOT_FOUND' | 'INVALID_DESCRIPTION',
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export interface BuildResult {
  outputPath: string;
  entries: string[];
  bytes: number;
  upgradeDesc?: UpgradeDesc;
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
    return s.size;
  } catch {
    throw new PackageBuildError('FILE_NOT_FOUND', `cannot read the file ${path}`, 'filePath');
  }
}

async function writeZip(outputPath: string, add: (zip: yazl.ZipFile) => void): Promise<number> {
  const zip = new yazl.ZipFile();
  add(zip);
  zip.end();
  const partial = `${outputPath}.partial`;
  const out = createWriteStream(partial);
  zip.outputStream.pipe(out);
  try {
    await once(out, 'close');
    await rename(partial, outputPath);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(outputPath)).size;
}

/** Validates the whole description; the first problem names its field. */
export function parseUpgradeDesc(input: unknown): UpgradeDesc {
  const parsed = upgradeDescSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new PackageBuildError(
      'INVALID_DESCRIPTION',
      `${field ? field + ': ' : ''}${issue?.message ?? 'invalid'}`,
      field,
    );
  }
  return parsed.data;
}

export async function buildSoftwarePackage(input: SoftwareBuildInput, now = new Date()): Promise<BuildResult> {
  await fileSize(input.filePath);
  const { filePath: given, outputPath: requestedOutput, ...fields } = input;
  const filePath = resolve(given);
  const desc = parseUpgradeDesc({
    ...fields,
    specVersion: '1.0',
    packageType: 'softwarePackage',
    fileName: basename(filePath),
    date: fields.date ?? today(now),
  });
  const entries = [`DM/${desc.platform}/UpgradeDesc.json`, `${desc.platform}/${desc.fileName}`];
  const outputPath =
    requestedOutput ??
    join(dirname(filePath), `${desc.model}_${desc.version}_${desc.platform}.zip`.replace(/[^\w.-]/g, '_'));
  // UTF-8 without BOM, as the platform expects.
  const json = Buffer.from(JSON.stringify(desc, null, 2), 'utf8');
  const bytes = await writeZip(outputPath, (zip) => {
    zip.addBuffer(json, entries[0]!, { mtime: now });
    zip.addReadStream(createReadStream(filePath), entries[1]!, { mtime: now });
  });
  return { outputPath, entries, bytes, upgradeDesc: desc };
}

export async function buildFirmwarePackage(
  binPath: string,
  outputPath?: string,
  now = new Date(),
): Promise<BuildResult> {
  await fileSize(binPath);
  binPath = resolve(binPath);
  const name = basename(binPath);
  const output = outputPath ?? join(dirname(binPath), `${name.replace(/\.bin$/i, '')}.zip`);
  const bytes = await writeZip(output, (zip) => zip.addReadStream(createReadStream(binPath), name, { mtime: now }));
  return { outputPath: output, entries: [name], bytes };
}
