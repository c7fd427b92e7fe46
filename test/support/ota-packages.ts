// Builds, signs and uploads upgrade packages through the API, as a release engineer would, for the OTA tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes, type StoredPackage } from '../../core/contract/index.js';
import type { RunningCore } from './core.js';
import type { contractCaller } from './device-api.js';

const PASS = 'Ota-Release-Pass-42';

/** A key pair named `ota` whose public key the library trusts for each manufacturer. */
export async function trustReleaseKey(
  call: ReturnType<typeof contractCaller>,
  ...manufacturerNames: string[]
): Promise<void> {
  const key = await call(apiRoutes.generateKey, {
    body: { name: 'ota', algorithm: 'ecdsa-p256', passphrase: PASS },
  });
  for (const manufacturerName of manufacturerNames) {
    await call(apiRoutes.addManufacturerKeyFromFile, {
      body: { manufacturerName, publicKeyPath: key.publicKeyPath, label: 'ota tests' },
    });
  }
}

async function signAndUpload(core: RunningCore, call: ReturnType<typeof contractCaller>, zipPath: string, query = '') {
  const signed = await call(apiRoutes.sign, { body: { inputPath: zipPath, keyName: 'ota', passphrase: PASS } });
  const { readFile } = await import('node:fs/promises');
  const res = await core.api(`/api/packages${query}`, {
    method: 'POST',
    body: await readFile(signed.outputPath),
    headers: { 'content-type': 'application/zip' },
  });
  const body = (await res.json()) as StoredPackage & { code?: string; message?: string };
  if (res.status !== 201) throw new Error(`upload failed ${res.status}: ${body.code} ${body.message}`);
  return body;
}

export interface PackageIdentity {
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: 'CoAP' | 'LWM2M' | 'MQTT';
}

/** A software package (UpgradeDesc.json + binary) of `bytes`, version `version`. */
export async function softwarePackage(
  core: RunningCore,
  call: ReturnType<typeof contractCaller>,
  dir: string,
  identity: PackageIdentity,
  options: { version: string; bytes: Uint8Array; deviceShard?: number; sourceVersions?: string },
): Promise<StoredPackage> {
  const file = join(dir, `app-${options.version}.bin`);
  writeFileSync(file, options.bytes);
  const built = await call(apiRoutes.buildSoftware, {
    body: {
      filePath: file,
      version: options.version,
      ...identity,
      ...(options.deviceShard ? { deviceShard: options.deviceShard } : {}),
      ...(options.sourceVersions ? { supportSourceVersionList: options.sourceVersions } : {}),
      outputPath: join(dir, `sw-${options.version}.zip`),
    },
  });
  return signAndUpload(core, call, built.outputPath);
}

/** A firmware package (one .bin) with its metadata given at upload. */
export async function firmwarePackage(
  core: RunningCore,
  call: ReturnType<typeof contractCaller>,
  dir: string,
  identity: PackageIdentity,
  options: { version: string; bytes: Uint8Array; sourceVersions?: string },
): Promise<StoredPackage> {
  const bin = join(dir, `fw-${options.version}.bin`);
  writeFileSync(bin, options.bytes);
  const built = await call(apiRoutes.buildFirmware, {
    body: { binPath: bin, outputPath: join(dir, `fw-${options.version}.zip`) },
  });
  const q = new URLSearchParams({
    version: options.version,
    deviceType: identity.deviceType,
    manufacturerName: identity.manufacturerName,
    model: identity.model,
    protocolType: identity.protocolType === 'CoAP' ? 'LWM2M' : identity.protocolType,
    ...(options.sourceVersions ? { supportSourceVersionList: options.sourceVersions } : {}),
  });
  return signAndUpload(core, call, built.outputPath, `?${q.toString()}`);
}

/** Package bytes that differ at every position, so a misplaced shard shows. */
export function packageBytes(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
}
