// The packages capability: build routes, manufacturer keys and the package library.
import { readFile, stat } from 'node:fs/promises';
import { DomainError } from '../../domain-error.js';
import type { Capability } from '../../capability.js';
import { packageRoutes } from '../../contract/packages.js';
import { buildFirmwarePackage, buildSoftwarePackage, PackageBuildError } from './package-builder.js';
import {
  PackageLibrary,
  packageMigrations,
  type PackageInUseCheck,
  type ProductIdentityLookup,
} from './package-library.js';

export interface PackagesCapability extends Capability {
  readonly library: PackageLibrary;
  /** The OTA work registers who uses a package; deleting such a package is refused. */
  setPackageInUseCheck(check: PackageInUseCheck): void;
}

/** A PEM public key is a few KB; a bigger file is not one, so it is not read whole. */
async function readPublicKeyFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DomainError('FILE_NOT_FOUND', `no file at ${path}`, 'body.publicKeyPath');
  if (info.size > 16_384) {
    throw new DomainError(
      'BAD_KEY',
      `${path} is ${info.size} bytes, too large for a PEM public key`,
      'body.publicKeyPath',
    );
  }
  return readFile(path, 'utf8');
}

async function built<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PackageBuildError) {
      throw new DomainError(error.code, error.message, error.path ? `body.${error.path}` : undefined);
    }
    throw error;
  }
}

/** `products` answers whether a product model exists; the composition root passes the products service. */
export function createPackagesCapability(products: () => ProductIdentityLookup): PackagesCapability {
  let library: PackageLibrary | undefined;
  let inUse: PackageInUseCheck | undefined;
  return {
    name: 'packages',
    migrations: packageMigrations,
    get library() {
      if (!library) throw new Error('the packages capability has not started');
      return library;
    },
    setPackageInUseCheck(check) {
      inUse = check;
      library?.setInUseCheck(check);
    },
    start({ db, clock, routes, dataDir, logger }) {
      const lib = new PackageLibrary(db, clock, dataDir, { exists: (identity) => products().exists(identity) });
      if (inUse) lib.setInUseCheck(inUse);
      library = lib;
      const now = () => new Date(clock.now());

      routes.add(packageRoutes.buildSoftware, ({ body }) => built(() => buildSoftwarePackage(body, now())));
      routes.add(packageRoutes.buildFirmware, ({ body }) =>
        built(() => buildFirmwarePackage(body.binPath, body.outputPath, now())),
      );
      routes.add(packageRoutes.listManufacturerKeys, () => ({ keys: lib.listKeys() }));
      routes.add(packageRoutes.addManufacturerKey, ({ body }) => {
        const key = lib.addKey(body.manufacturerName, body.publicKeyPem, body.label);
        logger.info(`added public key ${key.fingerprint} for manufacturer "${key.manufacturerName}"`);
        return key;
      });
      routes.add(packageRoutes.addManufacturerKeyFromFile, async ({ body }) => {
        const pem = await readPublicKeyFile(body.publicKeyPath);
        const key = lib.addKey(body.manufacturerName, pem, body.label);
        logger.info(`added public key ${key.fingerprint} for manufacturer "${key.manufacturerName}"`);
        return key;
      });
      routes.add(packageRoutes.deleteManufacturerKey, ({ params }) => {
        lib.deleteKey(params.id);
        return { deleted: true as const };
      });
      routes.add(packageRoutes.uploadPackage, async ({ body, query }) => {
        const stored = await lib.upload(body, query);
        logger.info(`stored ${stored.kind} package ${stored.name} (${stored.id})`);
        return stored;
      });
      routes.add(packageRoutes.listPackages, ({ query }) => ({ packages: lib.list(query) }));
      routes.add(packageRoutes.getPackage, ({ params }) => lib.require(params.id));
      routes.add(packageRoutes.deletePackage, async ({ params }) => {
        await lib.remove(params.id);
        return { deleted: true as const };
      });
    },
  };
}
