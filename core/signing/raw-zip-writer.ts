// Writes a zip whose entries are copied byte for byte from another zip (same method, CRC and data), plus new
// small stored entries. yazl recompresses everything it is given; a signed package must keep its entries unchanged.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32 } from 'node:zlib';
import { SigningError } from './signing-error.js';

const UTF8_NAME_FLAG = 0x0800;
const VERSION_NEEDED = 20;
const VERSION_MADE_BY_UNIX = (3 << 8) | 20;
const MAX_32 = 0xffffffff;

export interface CopiedEntryHeader {
  name: string;
  compressionMethod: number;
  generalPurposeBitFlag: number;
  lastModFileTime: number;
  lastModFileDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  externalFileAttributes: number;
  versionMadeBy: number;
}

interface CentralRecord extends CopiedEntryHeader {
  offset: number;
}

function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: (Math.max(0, date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

export class RawZipWriter {
  private readonly out: WriteStream;
  private offset = 0;
  private readonly records: CentralRecord[] = [];
  private failure: Error | undefined;

  constructor(path: string) {
    this.out = createWriteStream(path, { highWaterMark: 1024 * 1024 });
    this.out.on('error', (error) => (this.failure = error));
  }

  private throwIfFailed(): void {
    const failure = this.failure;
    if (failure) throw failure;
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.offset += chunk.length;
    if (this.offset > MAX_32)
      throw new SigningError('UNSAFE_ZIP', 'the signed package would exceed 4 GiB (zip64 is not supported)');
    if (!this.out.write(chunk)) await this.drained();
    this.throwIfFailed();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.out.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        this.out.off('drain', onDrain);
        reject(error);
      };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
    });
  }

  /** Starts a copied entry: writes its local header; the caller then writes exactly compressedSize raw bytes. */
  async beginCopiedEntry(header: CopiedEntryHeader): Promise<void> {
    const flags = (header.generalPurposeBitFlag & 0x0006) | UTF8_NAME_FLAG;
    const record: CentralRecord = { ...header, generalPurposeBitFlag: flags, offset: this.offset };
    this.records.push(record);
    await this.write(localHeader(record));
  }

  async addStoredEntry(name: string, data: Buffer, modified: Date): Promise<void> {
    const { time, date } = dosDateTime(modified);
    await this.beginCopiedEntry({
      name,
      compressionMethod: 0,
      generalPurposeBitFlag: 0,
      lastModFileTime: time,
      lastModFileDate: date,
      crc32: crc32(data),
      compressedSize: data.length,
      uncompressedSize: data.length,
      externalFileAttributes: (0o100644 << 16) >>> 0,
      versionMadeBy: VERSION_MADE_BY_UNIX,
    });
    await this.write(data);
  }

  async finish(): Promise<void> {
    const start = this.offset;
    for (const record of this.records) await this.write(centralHeader(record));
    const size = this.offset - start;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.records.length, 8);
    end.writeUInt16LE(this.records.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    this.out.end();
    await once(this.out, 'close');
    this.throwIfFailed();
  }

  /** Stops writing after a failure; the caller removes the partial file. */
  async abort(): Promise<void> {
    if (this.out.closed) return;
    this.out.destroy();
    await once(this.out, 'close').catch(() => undefined);
  }
}

function localHeader(r: CentralRecord): Buffer {
  const name = Buffer.from(r.name, 'utf8');
  const b = Buffer.alloc(30 + name.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(r.generalPurposeBitFlag, 6);
  b.writeUInt16LE(r.compressionMethod, 8);
  b.writeUInt16LE(r.lastModFileTime, 10);
  b.writeUInt16LE(r.lastModFileDate, 12);
  b.writeUInt32LE(r.crc32 >>> 0, 14);
  b.writeUInt32LE(r.compressedSize, 18);
  b.writeUInt32LE(r.uncompressedSize, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(0, 28);
  name.copy(b, 30);
  return b;
}

function centralHeader(r: CentralRecord): Buffer {
  const name = Buffer.from(r.name, 'utf8');
  const b = Buffer.alloc(46 + name.length);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(r.versionMadeBy & 0xffff, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(r.generalPurposeBitFlag, 8);
  b.writeUInt16LE(r.compressionMethod, 10);
  b.writeUInt16LE(r.lastModFileTime, 12);
  b.writeUInt16LE(r.lastModFileDate, 14);
  b.writeUInt32LE(r.crc32 >>> 0, 16);
  b.writeUInt32LE(r.compressedSize, 20);
  b.writeUInt32LE(r.uncompressedSize, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt32LE(r.externalFileAttributes >>> 0, 38);
  b.writeUInt32LE(r.offset, 42);
  name.copy(b, 46);
  return b;
}
