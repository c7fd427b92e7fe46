// Sample products shipped as profile folders in resources/samples/products/<name>/ (the package layout, unzipped).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeZip } from '../archive/safe-zip.js';
import { findPackageRoot } from '../version.js';
import { readProfileEntries, type ProfileReadResult } from './profile-package.js';

const SAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_SAMPLE_FILES = 64;

export function defaultSamplesDir(): string {
  return join(findPackageRoot(), 'resources', 'samples', 'products');
}

export function listSampleNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && SAMPLE_NAME.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** The sample's files as package entries (`profile/…`, `service/…`), or undefined for an unknown name. */
export function sampleEntries(dir: string, name: string): Map<string, Uint8Array> | undefined {
  if (!SAMPLE_NAME.test(name) || name.includes('..') || !listSampleNames(dir).includes(name)) return undefined;
  const root = join(dir, name);
  const entries = new Map<string, Uint8Array>();
  const walk = (relative: string) => {
    for (const item of readdirSync(join(root, relative), { withFileTypes: true })) {
      const child = relative === '' ? item.name : `${relative}/${item.name}`;
      if (item.isDirectory()) walk(child);
      else if (item.isFile() && item.name.endsWith('.json') && entries.size < MAX_SAMPLE_FILES) {
        entries.set(child, new Uint8Array(readFileSync(join(root, child))));
      }
    }
  };
  walk('');
  return entries;
}

export function readSample(dir: string, name: string): ProfileReadResult | undefined {
  const entries = sampleEntries(dir, name);
  return entries ? readProfileEntries(entries) : undefined;
}

/** The sample as the profile package zip a user would download (for tests and "download sample"). */
export async function sampleZip(dir: string, name: string): Promise<Uint8Array | undefined> {
  const entries = sampleEntries(dir, name);
  if (!entries) return undefined;
  return writeZip([...entries].sort(([a], [b]) => a.localeCompare(b)));
}
