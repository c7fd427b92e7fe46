// Flash operations: decode images, take the port over (a terminal pauses), run the ESP or STM32 flasher,
// record every step durably and hand the port back.
import { createHash, randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import type { FlashChipInfo, FlashConnect, FlashedImage, FlashOperation, FlashRequest } from '../contract/flashing.js';
import type { VerifiedBinary } from '../ota/index.js';
import { DomainError } from '../domain-error.js';
import { PortBusyError, type PortOwner, type PortRegistry } from '../serial/index.js';
import type { OpenSerialLine } from '../serial/index.js';
import { EspFlashError, detectEsp, flashEsp, type EspChipInfo } from './esp/esp-flasher.js';
import type { FlashStore } from './flash-store.js';
import { IntelHexError, parseIntelHex } from './intel-hex.js';
import { Stm32FlashError, connectStm32, flashStm32, type Stm32Info } from './stm32/stm32-flasher.js';

export interface FlashServiceDeps {
  store: FlashStore;
  registry: PortRegistry;
  openLine: OpenSerialLine;
  clock: Clock;
  bus: EventBus;
  packages?: FlashPackageSource;
  /** Sync rounds for ESP boards (esptool's 7 by default; tests use fewer). */
  espConnectAttempts?: number;
}

interface DecodedImage extends Omit<FlashedImage, 'size' | 'sha256'> {
  data: Uint8Array;
}

/** Reads a library package's binary after verifying it (the package library's `verifiedBinary`). */
export type FlashPackageSource = (packageId: string, maxBytes: number) => Promise<VerifiedBinary>;

const STM32_FLASH = 0x08000000;
const PROGRESS_EVERY_MS = 100;

const errorCodes: Record<EspFlashError['kind'] | Stm32FlashError['kind'], string> = {
  sync: 'FLASH_NO_BOOTLOADER',
  'boot-mode': 'FLASH_WRONG_BOOT_MODE',
  'wrong-chip': 'FLASH_WRONG_CHIP',
  verify: 'FLASH_VERIFY_FAILED',
  lost: 'FLASH_PORT_LOST',
  protected: 'FLASH_PROTECTED',
  nack: 'FLASH_FAILED',
  failed: 'FLASH_FAILED',
};

export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof EspFlashError || error instanceof Stm32FlashError) {
    return new DomainError(errorCodes[error.kind], error.message, 'port');
  }
  if (error instanceof PortBusyError) return new DomainError('PORT_BUSY', error.message, 'port');
  const message = error instanceof Error ? error.message : String(error);
  return new DomainError('FLASH_FAILED', message, 'port');
}

/** The largest image the library hands the flasher: bigger than any flash these boards have. */
const MAX_PACKAGE_IMAGE = 32 * 1024 * 1024;

/**
 * `.bin` images keep their offset; an Intel hex file becomes one image per contiguous segment; a library package
 * is written only after its signature verifies again, and a file (no signature) only when `allowUnsigned` says so.
 */
export async function decodeImages(
  request: Pick<FlashRequest, 'images' | 'chip' | 'allowUnsigned'>,
  packages?: FlashPackageSource,
): Promise<DecodedImage[]> {
  const out: DecodedImage[] = [];
  // An STM32 .bin at a small offset is relative to the flash start (0x08000000), as stm32flash's -S takes it.
  const at = (offset: number) => (request.chip === 'stm32' && offset < STM32_FLASH ? STM32_FLASH + offset : offset);
  for (const [i, image] of request.images.entries()) {
    if ('packageId' in image) {
      if (!packages)
        throw new DomainError('FLASH_BAD_IMAGE', 'the package library is not available', `body.images.${i}`);
      const verified = await packages(image.packageId, MAX_PACKAGE_IMAGE);
      out.push({
        offset: at(image.offset),
        data: new Uint8Array(verified.binary),
        name: verified.package.fileName,
        packageId: verified.package.id,
        packageVersion: verified.package.version,
        signedBy: verified.verification.keyFingerprint,
      });
      continue;
    }
    if (!request.allowUnsigned) {
      throw new DomainError(
        'FLASH_UNSIGNED_IMAGE',
        `${image.name ?? 'the image'} is a file, not a signed package from the library: choose to write it unsigned (allowUnsigned, or --unsigned on the command line)`,
        `body.images.${i}`,
      );
    }
    const bytes = new Uint8Array(Buffer.from(image.base64, 'base64'));
    if (bytes.length === 0) throw new DomainError('FLASH_BAD_IMAGE', 'the image is empty', `body.images.${i}`);
    const unsigned = { name: image.name, packageId: null, packageVersion: null, signedBy: null };
    if (image.format === 'hex') {
      try {
        for (const segment of parseIntelHex(new TextDecoder().decode(bytes)).segments) {
          out.push({ offset: segment.address, data: segment.data, ...unsigned });
        }
      } catch (error) {
        if (error instanceof IntelHexError) {
          throw new DomainError(
            'FLASH_BAD_IMAGE',
            `${image.name ?? 'the hex file'}: ${error.message}`,
            `body.images.${i}`,
          );
        }
        throw error;
      }
      continue;
    }
    out.push({ offset: at(image.offset), data: bytes, ...unsigned });
  }
  const sorted = [...out].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (prev.offset + prev.data.length > sorted[i]!.offset) {
      throw new DomainError(
        'FLASH_BAD_IMAGE',
        `images overlap at 0x${sorted[i]!.offset.toString(16)}: check the offsets`,
        'body.images',
      );
    }
  }
  return out;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function espInfoView(info: EspChipInfo): FlashChipInfo {
  return {
    chip: info.chip,
    description: info.description,
    mac: info.mac,
    flashId: `0x${info.flashId.toString(16).padStart(6, '0')}`,
    flashSize: info.flashSize,
    details: [...info.features, `Crystal ${info.crystalMHz} MHz`],
  };
}

function stm32InfoView(info: Stm32Info): FlashChipInfo {
  return {
    chip: 'stm32',
    description: info.part,
    mac: null,
    flashId: `0x${info.pid.toString(16).padStart(3, '0')}`,
    flashSize: info.flashSize === null ? null : `${info.flashSize / 1024}KB`,
    details: [
      `Bootloader ${info.bootloaderVersion}`,
      `Commands ${info.commands.map((c) => c.toString(16).padStart(2, '0')).join(' ')}`,
    ],
  };
}

export class FlashService {
  constructor(private readonly deps: FlashServiceDeps) {}

  /** The port for the duration of `work`: an open terminal yields it and gets it back afterwards. */
  private async withPort<T>(port: string, work: () => Promise<T>): Promise<T> {
    const owner: PortOwner = {
      name: 'flashing…',
      yieldPort: () => Promise.reject(new PortBusyError(port, 'a flash in progress')),
    };
    let takeOver;
    try {
      takeOver = await this.deps.registry.takeOver(port, owner);
    } catch (error) {
      if (error instanceof PortBusyError)
        throw new DomainError('PORT_BUSY', `${port} is busy: a flash is in progress`, 'port');
      throw error;
    }
    try {
      return await work();
    } finally {
      await takeOver.handBack().catch(() => undefined);
    }
  }

  detect(request: FlashConnect): Promise<FlashChipInfo> {
    return this.withPort(request.port, async () => {
      try {
        if (request.chip === 'stm32') {
          const { session, info } = await connectStm32(
            {
              path: request.port,
              baudRate: request.baudRate,
              parity: request.parity,
              reset: request.reset === 'auto' ? 'rts-dtr' : 'manual',
            },
            this.deps.openLine,
            this.deps.clock,
          );
          await session.close();
          return stm32InfoView(info);
        }
        return espInfoView(
          await detectEsp({
            path: request.port,
            chip: request.chip,
            baudRate: 115200,
            reset: request.reset,
            connectAttempts: this.deps.espConnectAttempts ?? 7,
          }),
        );
      } catch (error) {
        throw toDomainError(error);
      }
    });
  }

  list(): FlashOperation[] {
    return this.deps.store.list();
  }

  get(id: string): FlashOperation {
    const op = this.deps.store.get(id);
    if (!op) throw new DomainError('FLASH_NOT_FOUND', `no flash operation ${id}`, 'id');
    return op;
  }

  /** Records the operation, then flashes in the background; `done` resolves with the finished record. */
  async start(request: FlashRequest): Promise<{ operation: FlashOperation; done: Promise<FlashOperation> }> {
    const images = await decodeImages(request, this.deps.packages);
    if (images.length === 0 && !request.eraseAll) {
      throw new DomainError('FLASH_BAD_IMAGE', 'nothing to do: give an image or ask for an erase', 'body.images');
    }
    if (this.deps.registry.ownerOf(request.port)?.name === 'flashing…') {
      throw new DomainError('PORT_BUSY', `${request.port} is busy: a flash is in progress`, 'port');
    }
    const { store, clock, bus } = this.deps;
    const id = randomUUID();
    const total = images.reduce((n, i) => n + i.data.length, 0);
    const operation = store.insert({
      id,
      port: request.port,
      chip: request.chip,
      images: images.map(({ data, ...image }) => ({ ...image, size: data.length, sha256: sha256(data) })),
      imageHash: sha256(Buffer.concat(images.map((i) => i.data))),
      eraseAll: request.eraseAll,
      verify: request.verify,
      total,
      startedAt: clock.now(),
    });
    let phase: 'connect' | 'erase' | 'write' | 'verify' | 'done' = 'connect';
    let written = 0;
    let writeStartedAt = clock.now();
    let lastEvent = 0;
    /** The write rate when the write phase ended, reported with the result. */
    let writeRate = 0;
    const publish = (status: FlashOperation['status'], line?: string): void => {
      const now = clock.now();
      const seconds = (now - writeStartedAt) / 1000;
      bus.publish('flash', {
        at: now,
        operationId: id,
        status,
        phase,
        written,
        total,
        bytesPerSecond:
          phase === 'write' || phase === 'verify'
            ? seconds > 0
              ? written / seconds
              : 0
            : phase === 'done'
              ? writeRate
              : 0,
        ...(line === undefined ? {} : { line }),
      });
    };
    const log = (line: string): void => {
      store.appendLog(id, line);
      if (/^(Erasing|Mass erase)/.test(line)) phase = 'erase';
      publish('running', line);
    };
    const doneBefore: number[] = images.map(() => 0);
    images.forEach((_, i) => (doneBefore[i] = images.slice(0, i).reduce((n, x) => n + x.data.length, 0)));
    const progress = (p: { image: number; written: number; phase?: 'write' | 'verify' }): void => {
      const nextPhase = p.phase ?? 'write';
      if (phase === 'write' && nextPhase !== 'write')
        writeRate = written / Math.max(0.001, (clock.now() - writeStartedAt) / 1000);
      if (phase !== nextPhase) {
        phase = nextPhase;
        written = 0;
        writeStartedAt = clock.now();
      }
      written = (doneBefore[p.image] ?? 0) + p.written;
      const now = clock.now();
      if (now - lastEvent >= PROGRESS_EVERY_MS || written === total) {
        lastEvent = now;
        store.progress(id, Math.min(written, total));
        publish('running');
      }
    };

    const run = async (): Promise<{ verified: boolean | null }> => {
      if (request.chip === 'stm32') {
        const result = await flashStm32(
          {
            path: request.port,
            baudRate: request.baudRate,
            parity: request.parity,
            reset: request.reset === 'auto' ? 'rts-dtr' : 'manual',
            images: images.map((i) => ({ address: i.offset, data: i.data })),
            eraseAll: request.eraseAll,
            verify: request.verify,
            readoutUnprotect: request.readoutUnprotect,
            writeUnprotect: request.writeUnprotect,
            go: request.hardReset ? undefined : null,
            log,
            onProgress: progress,
          },
          this.deps.openLine,
          clock,
        );
        store.detected(id, 'stm32', result.info.part, null);
        return { verified: request.verify ? true : null };
      }
      const result = await flashEsp({
        path: request.port,
        chip: request.chip,
        baudRate: request.baudRate,
        reset: request.reset,
        connectAttempts: this.deps.espConnectAttempts ?? 7,
        images: images.map((i) => ({ offset: i.offset, data: i.data })),
        eraseAll: request.eraseAll,
        verify: request.verify,
        hardReset: request.hardReset,
        log,
        onProgress: progress,
      });
      store.detected(id, result.info.chip, result.info.description, result.info.mac);
      return { verified: request.verify ? true : null };
    };

    const done = this.withPort(request.port, run).then(
      (result) => {
        if (phase === 'write') writeRate = written / Math.max(0.001, (clock.now() - writeStartedAt) / 1000);
        phase = 'done';
        store.finish(id, clock.now(), result);
        publish('ok');
        return store.require(id);
      },
      (error: unknown) => {
        const domain = toDomainError(error);
        phase = 'done';
        store.appendLog(id, `Failed: ${domain.message}`);
        store.finish(id, clock.now(), { code: domain.code, message: domain.message });
        publish('failed', domain.message);
        return store.require(id);
      },
    );
    return { operation, done };
  }
}
