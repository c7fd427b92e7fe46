// The codecs shipped in resources/samples/codecs/<name>/: codec.js, layout.json and samples.json.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { codecSampleInputSchema, type CodecKind, type CodecSampleInput } from '../contract/codecs.js';
import { findPackageRoot } from '../version.js';

export function defaultCodecSamplesDir(): string {
  return join(findPackageRoot(), 'resources', 'samples', 'codecs');
}

const samplesFileSchema = z.object({ samples: z.array(codecSampleInputSchema) });

export function listCodecSamples(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^[a-z0-9-]+$/.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

export function readCodecSample(
  dir: string,
  name: string,
  kind: CodecKind,
): { source: string; samples: CodecSampleInput[] } | undefined {
  if (!listCodecSamples(dir).includes(name)) return undefined;
  const folder = join(dir, name);
  const source = readFileSync(join(folder, kind === 'script' ? 'codec.js' : 'layout.json'), 'utf8');
  const samples = samplesFileSchema.parse(JSON.parse(readFileSync(join(folder, 'samples.json'), 'utf8'))).samples;
  return { source, samples };
}
