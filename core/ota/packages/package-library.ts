// The package library: manufacturer public keys and signed packages, stored in <dataDir>/packages/.
import type { Database } from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../domain-error.js';
import type { Clock } from '../../clock.js';
import type { ManufacturerKey, StoredPackage, UpgradeDesc } from '../../contract/packages.js';
import type { Migration } from '../../store/migrations.js';
import { algorithmOf, fingerprintOf, loadPublicKey } from '../../signing/keys.js';
import { openPackageZip, readSmallEntry, isDirectoryEntry } from '../../signing/package-zip-reader.js';
import { RESERVED_NAMES } from '../../signing/manifest.js';
import { SigningError } from '../../signing/signing-error.js';
import { verifyPackage } from '../../signing/verify-package.js';
import type { VerifyResult } from '../../contract/signing.js';
import { parseUpgradeDesc, PackageBuildError } from './package-builder.js';
import { z } from 'zod';
import type { packageUploadQuerySchema } from '../../contract/packages.js';

/** The product a package names; the composition root wires this to the products service. */
export interface ProductIdentity {
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: string;
}
export interface ProductIdentityLookup {
  exists(identity: ProductIdentity): boolean;
}

/** Answers why a package may not be deleted (e.g. "used by upgrade task T"), or undefined. The OTA work sets it. */
export type PackageInUseCheck = (packageId: string) => string | undefined;

export const packageMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create manufacturer keys and packages',
    sql: `CREATE TABLE manufacturer_keys (
      id TEXT PRIMARY KEY,
      manufacturer_name TEXT NOT NULL,
      label TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      public_key_pem TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (manufacturer_name, fingerprint)
    );
    CREATE TABLE packages (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      version TEXT NOT NULL,
      device_type TEXT NOT NULL,
      manufacturer_name TEXT NOT NULL,
      model TEXT NOT NULL,
      protocol_type TEXT NOT NULL,
      source_versions TEXT NOT NULL,
      description TEXT NOT NULL,
      upgrade_desc_json TEXT,
      file_name TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      key_fingerprint TEXT NOT NULL,
      signed_at TEXT,
      uploaded_at INTEGER NOT NULL,
      UNIQUE (kind, manufacturer_name, device_type, model, version)
    )`,
  },
];

interface KeyRow {
  id: string;
  manufacturer_name: string;
  label: string;
  algorithm: string;
  fingerprint: string;
  public_key_pem: string;
  created_at: number;
}

interface PackageRow {
  id: string;
  kind: 'software' | 'firmware';
  name: string;
  version: string;
  device_type: string;
  manufacturer_name: string;
  model: string;
  protocol_type: string;
  source_versions: string;
  description: string;
  upgrade_desc_json: string | null;
  file_name: string;
  size: number;
  sha256: string;
  key_fingerprint: string;
  signed_at: string | null;
  uploaded_at: number;
}

const keyView = (r: KeyRow): ManufacturerKey => ({
  id: r.id,
  manufacturerName: r.manufacturer_name,
  label: r.label,
  algorithm: r.algorithm,
  fingerprint: r.fingerprint,
  createdAt: r.created_at,
});

const packageView = (r: PackageRow): StoredPackage => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  version: r.version,
  deviceType: r.device_type,
  manufacturerName: r.manufacturer_name,
  model: r.model,
  protocolType: r.protocol_type,
  supportSourceVersionList: r.source_versions,
  description: r.description,
  ...(r.upgrade_desc_json ? { upgradeDesc: JSON.parse(r.upgrade_desc_json) as UpgradeDesc } : {}),
  fileName: r.file_name,
  size: r.size,
  sha256: r.sha256,
  keyFingerprint: r.key_fingerprint,
  ...(r.signed_at ? { signedAt: r.signed_at } : {}),
  uploadedAt: r.uploaded_at,
});

type UploadQuery = z.output<typeof packageUploadQuerySchema>;

interface PackageDescription {
  kind: 'software' | 'firmware';
  name: string;
  version: string;
  identity: ProductIdentity;
  sourceVersions: string;
  description: string;
  upgradeDesc?: UpgradeDesc;
  fileName: string;
}

export interface VerifiedBinary {
  package: StoredPackage;
  binary: Buffer;
  verification: VerifyResult;
}

async function sha256OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

const refuse = (code: string, message: string, path?: string, details?: unknown) =>
  new DomainError(code, message, path, details);

export class PackageLibrary {
  private inUse: PackageInUseCheck = () => undefined;
  readonly folder: string;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    dataDir: string,
    private readonly products: ProductIdentityLookup,
  ) {
    this.folder = join(dataDir, 'packages');
  }

  setInUseCheck(check: PackageInUseCheck): void {
    this.inUse = check;
  }

  /** The OTA work asks this before starting and the library before deleting. */
  isPackageInUse(packageId: string): string | undefined {
    return this.inUse(packageId);
  }

  listKeys(): ManufacturerKey[] {
    const rows = this.db
      .prepare('SELECT * FROM manufacturer_keys ORDER BY manufacturer_name, created_at')
      .all() as KeyRow[];
    return rows.map(keyView);
  }

  addKey(manufacturerName: string, publicKeyPem: string, label?: string): ManufacturerKey {
    let key;
    try {
      key = loadPublicKey(publicKeyPem);
    } catch (error) {
      throw refuse('BAD_KEY', (error as Error).message, 'body.publicKeyPem');
    }
    const fingerprint = fingerprintOf(key);
    const exists = this.db
      .prepare('SELECT id FROM manufacturer_keys WHERE manufacturer_name = ? AND fingerprint = ?')
      .get(manufacturerName, fingerprint);
    if (exists) throw new DomainError('KEY_EXISTS', `${manufacturerName} already has the key ${fingerprint}`);
    const row: KeyRow = {
      id: randomUUID(),
      manufacturer_name: manufacturerName,
      label: label ?? '',
      algorithm: algorithmOf(key),
      fingerprint,
      public_key_pem: key.export({ type: 'spki', format: 'pem' }).toString(),
      created_at: this.clock.now(),
    };
    this.db
      .prepare(
        `INSERT INTO manufacturer_keys (id, manufacturer_name, label, algorithm, fingerprint, public_key_pem, created_at)
         VALUES (@id, @manufacturer_name, @label, @algorithm, @fingerprint, @public_key_pem, @created_at)`,
      )
      .run(row);
    return keyView(row);
  }

  deleteKey(id: string): void {
    const info = this.db.prepare('DELETE FROM manufacturer_keys WHERE id = ?').run(id);
    if (info.changes === 0) throw new DomainError('KEY_NOT_FOUND', `no manufacturer key ${id}`);
  }

  list(filter: { kind?: string; manufacturerName?: string } = {}): StoredPackage[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM packages WHERE (@kind IS NULL OR kind = @kind)
         AND (@manufacturer IS NULL OR manufacturer_name = @manufacturer) ORDER BY uploaded_at DESC`,
      )
      .all({ kind: filter.kind ?? null, manufacturer: filter.manufacturerName ?? null }) as PackageRow[];
    return rows.map(packageView);
  }

  require(id: string): StoredPackage {
    const row = this.db.prepare('SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
    if (!row) throw new DomainError('PACKAGE_NOT_FOUND', `no package ${id}`);
    return packageView(row);
  }

  /** Where the stored signed zip is, for the OTA download endpoints. */
  filePath(id: string): string {
    this.require(id);
    return join(this.folder, `${id}.zip`);
  }

  /**
   * The package's binary, for writing to a board: the stored zip must still be the one uploaded (same SHA-256) and
   * its signature must still verify against a key its manufacturer has registered now.
   */
  async verifiedBinary(id: string, maxBytes: number): Promise<VerifiedBinary> {
    const pkg = this.require(id);
    const path = join(this.folder, `${id}.zip`);
    const digest = await sha256OfFile(path);
    if (digest !== pkg.sha256) {
      throw refuse(
        'PACKAGE_CHANGED',
        digest === undefined
          ? `the stored file of package ${pkg.name} ${pkg.version} is missing`
          : `the stored file of package ${pkg.name} ${pkg.version} changed since it was uploaded (SHA-256 ${digest}, uploaded ${pkg.sha256})`,
      );
    }
    const verification = await this.verifyAgainstManufacturer(path, pkg.manufacturerName);
    return { package: pkg, binary: await this.readBinary(pkg, maxBytes), verification };
  }

  /**
   * The bytes a device is sent: the firmware .bin, or the software package's <platform>/<fileName>. Read whole:
   * an NB-IoT package is kilobytes, and the upgrade serves it block by block from memory.
   */
  async payload(id: string, maxBytes = 64 * 1024 * 1024): Promise<Uint8Array> {
    return new Uint8Array(await this.readBinary(this.require(id), maxBytes));
  }

  private async readBinary(pkg: StoredPackage, maxBytes: number): Promise<Buffer> {
    const opened = await openPackageZip(join(this.folder, `${pkg.id}.zip`));
    try {
      const platform = opened.entries
        .map((e) => /^DM\/([^/]+)\/UpgradeDesc\.json$/.exec(e.fileName)?.[1])
        .find((p) => p !== undefined);
      const binaryName = pkg.kind === 'software' && platform ? `${platform}/${pkg.fileName}` : pkg.fileName;
      const entry = opened.entries.find((e) => e.fileName === binaryName);
      if (!entry) throw refuse('INVALID_PACKAGE', `package ${pkg.name} ${pkg.version} has no ${binaryName}`);
      if (entry.uncompressedSize > maxBytes) {
        throw refuse(
          'PACKAGE_TOO_LARGE',
          `${binaryName} is ${entry.uncompressedSize} bytes; at most ${maxBytes} can be read`,
        );
      }
      return await readSmallEntry(opened, entry, maxBytes);
    } finally {
      opened.close();
    }
  }

  async remove(id: string): Promise<void> {
    this.require(id);
    const reason = this.inUse(id);
    if (reason) throw new DomainError('PACKAGE_IN_USE', `the package is in use: ${reason}`);
    this.db.prepare('DELETE FROM packages WHERE id = ?').run(id);
    await rm(join(this.folder, `${id}.zip`), { force: true });
  }

  async upload(bytes: Uint8Array, query: UploadQuery): Promise<StoredPackage> {
    mkdirSync(this.folder, { recursive: true });
    const id = randomUUID();
    const incoming = join(this.folder, `incoming-${id}.zip`);
    await writeFile(incoming, bytes);
    try {
      const described = await this.describe(incoming, query);
      const verification = await this.verifyAgainstManufacturer(incoming, described.identity.manufacturerName);
      if (!this.products.exists(described.identity)) {
        const i = described.identity;
        throw refuse(
          'PRODUCT_NOT_FOUND',
          `no product model with device type "${i.deviceType}", manufacturer "${i.manufacturerName}", model "${i.model}" and protocol ${i.protocolType}`,
        );
      }
      const row: PackageRow = {
        id,
        kind: described.kind,
        name: described.name,
        version: described.version,
        device_type: described.identity.deviceType,
        manufacturer_name: described.identity.manufacturerName,
        model: described.identity.model,
        protocol_type: described.identity.protocolType,
        source_versions: described.sourceVersions,
        description: described.description,
        upgrade_desc_json: described.upgradeDesc ? JSON.stringify(described.upgradeDesc) : null,
        file_name: described.fileName,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        key_fingerprint: verification.keyFingerprint,
        signed_at: verification.signedAt ?? null,
        uploaded_at: this.clock.now(),
      };
      const duplicate = this.db
        .prepare(
          'SELECT id FROM packages WHERE kind = ? AND manufacturer_name = ? AND device_type = ? AND model = ? AND version = ?',
        )
        .get(row.kind, row.manufacturer_name, row.device_type, row.model, row.version);
      if (duplicate) {
        throw new DomainError(
          'PACKAGE_EXISTS',
          `the library already has ${row.kind} version ${row.version} for ${row.model}`,
        );
      }
      await rename(incoming, join(this.folder, `${id}.zip`));
      this.db
        .prepare(
          `INSERT INTO packages VALUES (@id, @kind, @name, @version, @device_type, @manufacturer_name, @model, @protocol_type,
           @source_versions, @description, @upgrade_desc_json, @file_name, @size, @sha256, @key_fingerprint, @signed_at, @uploaded_at)`,
        )
        .run(row);
      return packageView(row);
    } finally {
      await rm(incoming, { force: true });
    }
  }

  private async describe(path: string, query: UploadQuery): Promise<PackageDescription> {
    let opened;
    try {
      opened = await openPackageZip(path);
    } catch (error) {
      if (error instanceof SigningError) throw refuse(error.code, error.message);
      throw error;
    }
    try {
      const content = opened.entries.filter((e) => !RESERVED_NAMES.has(e.fileName) && !isDirectoryEntry(e));
      const descEntry = content.find((e) => /^DM\/[^/]+\/UpgradeDesc\.json$/.test(e.fileName));
      if (descEntry) {
        const raw = await readSmallEntry(opened, descEntry, 64 * 1024);
        let desc: UpgradeDesc;
        try {
          desc = parseUpgradeDesc(JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, '')));
        } catch (error) {
          const message = error instanceof PackageBuildError ? error.message : 'it is not JSON';
          throw refuse('INVALID_DESCRIPTION', `${descEntry.fileName}: ${message}`);
        }
        const platform = descEntry.fileName.split('/')[1]!;
        const binary = `${platform}/${desc.fileName}`;
        if (!content.some((e) => e.fileName === binary)) {
          throw refuse(
            'INVALID_DESCRIPTION',
            `UpgradeDesc.json names ${desc.fileName} but the package has no ${binary}`,
          );
        }
        return {
          kind: 'software',
          name: query.name ?? `${desc.model} ${desc.version}`,
          version: desc.version,
          identity: {
            deviceType: desc.deviceType,
            manufacturerName: desc.manufacturerName,
            model: desc.model,
            protocolType: desc.protocolType,
          },
          sourceVersions: desc.supportSourceVersionList ?? '',
          description: desc.description ?? '',
          upgradeDesc: desc,
          fileName: desc.fileName,
        };
      }
      const bins = content.filter((e) => /\.bin$/i.test(e.fileName));
      if (bins.length !== 1 || content.length !== 1) {
        throw refuse(
          'INVALID_PACKAGE',
          'a package is either a software package (DM/<platform>/UpgradeDesc.json + <platform>/<file>) or a firmware package (exactly one .bin)',
        );
      }
      const missing = (['version', 'deviceType', 'manufacturerName', 'model', 'protocolType'] as const).filter(
        (k) => !query[k],
      );
      if (missing.length) {
        throw refuse(
          'MISSING_METADATA',
          `a firmware package needs ${missing.join(', ')} at upload`,
          `query.${missing[0]}`,
        );
      }
      return {
        kind: 'firmware',
        name: query.name ?? bins[0]!.fileName,
        version: query.version!,
        identity: {
          deviceType: query.deviceType!,
          manufacturerName: query.manufacturerName!,
          model: query.model!,
          protocolType: query.protocolType!,
        },
        sourceVersions: query.supportSourceVersionList ?? '',
        description: query.description ?? '',
        fileName: bins[0]!.fileName,
      };
    } finally {
      opened.close();
    }
  }

  private async verifyAgainstManufacturer(path: string, manufacturerName: string): Promise<VerifyResult> {
    const keys = this.db
      .prepare('SELECT * FROM manufacturer_keys WHERE manufacturer_name = ?')
      .all(manufacturerName) as KeyRow[];
    if (keys.length === 0) {
      throw refuse(
        'NO_MANUFACTURER_KEY',
        `no public key is registered for manufacturer "${manufacturerName}": upload one first`,
      );
    }
    let first: VerifyResult | undefined;
    for (const key of keys) {
      const result = await verifyPackage(path, loadPublicKey(key.public_key_pem));
      if (result.valid) return result;
      // Same answer whatever the key: no point trying the others.
      if (result.code !== 'SIGNATURE_INVALID')
        throw refuse(result.code ?? 'INVALID', result.message, undefined, { verification: result });
      first ??= result;
    }
    const known = keys.map((k) => k.fingerprint).join(', ');
    throw refuse(
      'SIGNATURE_INVALID',
      `signature invalid for manufacturer "${manufacturerName}": signed with key ${first?.signedWithFingerprint ?? 'unknown'}, registered keys ${known}`,
      undefined,
      { verification: first },
    );
  }
}
