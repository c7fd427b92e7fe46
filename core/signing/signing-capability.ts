// The signing capability: the data folder's key store, sign and verify over the API. Passphrases arrive in the one
// request that needs them and are neither stored nor logged.
import { join } from 'node:path';
import type { Capability } from '../capability.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import { signingRoutes } from '../contract/signing.js';
import { DomainError } from '../domain-error.js';
import { loadPublicKey } from './keys.js';
import { createKeyStore, KeyStoreError } from './key-store.js';
import { signPackage, type Progress } from './sign-package.js';
import { SigningError } from './signing-error.js';
import { verifyPackage } from './verify-package.js';
import { readZipForDownload, storeWorkFile } from './work-files.js';
import { readFile } from 'node:fs/promises';

export const KEYS_FOLDER = 'keys';

/** Signing failures as domain errors with the same codes the CLI prints. */
export function toDomainError(error: unknown): unknown {
  if (error instanceof SigningError) return new DomainError(error.code, error.message, error.entry);
  if (error instanceof KeyStoreError) return new DomainError(error.code, error.message, 'name');
  return error;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDomainError(error);
  }
}

function progressPublisher(bus: EventBus, clock: Clock, id: string | undefined, kind: 'sign' | 'verify') {
  if (!id) return undefined;
  let last = -1;
  return ({ done, total }: Progress) => {
    const progress = total === 0 ? 1 : done / total;
    const percent = Math.floor(progress * 100);
    if (percent === last) return;
    last = percent;
    bus.publish('task', { at: clock.now(), taskId: id, kind, status: percent >= 100 ? 'done' : 'running', progress });
  };
}

export function createSigningCapability(): Capability {
  return {
    name: 'signing',
    migrations: [],
    start({ routes, dataDir, logger, bus, clock }) {
      const store = createKeyStore(join(dataDir, KEYS_FOLDER));

      routes.add(signingRoutes.listKeys, async () => ({ keys: await store.list(), keysDir: store.keysDir }));
      routes.add(signingRoutes.generateKey, ({ body }) =>
        mapped(async () => {
          const key = await store.generate(body.name, body.algorithm, body.passphrase);
          logger.info(`generated ${key.algorithm} key "${key.name}" (${key.fingerprint})`);
          return key;
        }),
      );
      routes.add(signingRoutes.importKey, ({ body }) =>
        mapped(async () => {
          const key = await store.importPem(body.name, body.path, body.passphrase, body.newPassphrase);
          logger.info(`imported key "${key.name}" (${key.fingerprint})`);
          return key;
        }),
      );
      routes.add(signingRoutes.deleteKey, ({ params }) =>
        mapped(async () => {
          await store.remove(params.name);
          logger.info(`deleted key "${params.name}"`);
          return { deleted: true as const };
        }),
      );
      routes.add(signingRoutes.sign, ({ body }) =>
        mapped(async () => {
          const key = await store.loadPrivate(body.keyName, body.passphrase);
          const result = await signPackage(body.inputPath, key, {
            outputPath: body.outputPath,
            now: () => new Date(clock.now()),
            onProgress: progressPublisher(bus, clock, body.progressId, 'sign'),
          });
          logger.info(`signed ${body.inputPath} with key "${body.keyName}" -> ${result.outputPath}`);
          return result;
        }),
      );
      routes.add(signingRoutes.verify, ({ body }) =>
        mapped(async () => {
          const publicKey = body.keyName
            ? await store.loadPublic(body.keyName)
            : loadPublicKey(
                await readFile(body.publicKeyPath!, 'utf8').catch(() => {
                  throw new SigningError('FILE_NOT_FOUND', `cannot read ${body.publicKeyPath ?? ''}`);
                }),
              );
          const result = await verifyPackage(body.inputPath, publicKey, {
            onProgress: progressPublisher(bus, clock, body.progressId, 'verify'),
          });
          logger.info(`verified ${body.inputPath}: ${result.valid ? 'valid' : (result.code ?? 'invalid')}`);
          return result;
        }),
      );
      routes.add(signingRoutes.uploadWorkFile, async ({ query, body }) => {
        const file = await storeWorkFile(dataDir, query.name, body);
        logger.info(`stored ${file.name} (${file.size} bytes) at ${file.path}`);
        return file;
      });
      routes.add(signingRoutes.downloadZip, ({ query }) => readZipForDownload(query.path));
    },
  };
}
