// A big package zip written on the fly (one stored, incompressible entry), for streaming tests and the sign bench.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import yazl from 'yazl';

const CHUNK = 1024 * 1024;

export async function writeLargeZip(path: string, bytes: number, entryName = 'linux/big.bin'): Promise<void> {
  const block = randomBytes(CHUNK);
  let written = 0;
  const source = new Readable({
    read() {
      if (written >= bytes) return void this.push(null);
      const size = Math.min(CHUNK, bytes - written);
      const chunk = Buffer.from(block.subarray(0, size));
      chunk.writeUInt32LE(written / CHUNK, 0);
      written += size;
      this.push(chunk);
    },
  });
  const zip = new yazl.ZipFile();
  zip.addReadStream(source, entryName, { compress: false, size: bytes });
  zip.addBuffer(Buffer.from('{"specVersion":"1.0"}'), 'DM/linux/UpgradeDesc.json');
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'close');
}
