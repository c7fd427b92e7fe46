// Zips for the signing tests, made on the fly: honest ones with yazl, hostile ones with the raw writer (any name, any header).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { RawZipWriter } from '../../../../core/signing/raw-zip-writer.js';

export async function writeZip(path: string, files: Record<string, string | Buffer>, compress = true): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { compress });
  }
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'close');
  return path;
}

export interface RawEntry {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Lie about the uncompressed size in the headers. */
  declaredSize?: number;
}

export async function writeRawZip(path: string, entries: RawEntry[]): Promise<string> {
  const writer = new RawZipWriter(path);
  for (const e of entries) {
    const stored = e.deflate ? deflateRawSync(e.data) : e.data;
    await writer.beginCopiedEntry({
      name: e.name,
      compressionMethod: e.deflate ? 8 : 0,
      generalPurposeBitFlag: 0,
      lastModFileTime: 0,
      lastModFileDate: (44 << 9) | (1 << 5) | 1,
      crc32: crc32(e.data),
      compressedSize: stored.length,
      uncompressedSize: e.declaredSize ?? e.data.length,
      externalFileAttributes: 0,
      versionMadeBy: 20,
    });
    await writer.write(stored);
  }
  await writer.finish();
  return path;
}
