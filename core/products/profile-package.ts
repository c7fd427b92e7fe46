// The offline profile package (§4.1) <-> the normalized product model, with errors naming the file and JSON path.
import type { z } from 'zod';
import { readZip, writeZip, type ZipLimits } from '../archive/safe-zip.js';
import {
  productModelSchema,
  type Field,
  type OmCapability,
  type ProductModel,
  type Service,
} from '../contract/product-model.js';
import {
  deviceTypeFileSchema,
  serviceTypeFileSchema,
  type LegacyDevice,
  type LegacyService,
} from './legacy-profile-schema.js';
import { checkProductModel, formatPath, type ModelIssue, type ModelPath } from './model-rules.js';

export const DEVICE_FILE = 'profile/devicetype-capability.json';
const SERVICE_FILE = /^service\/([^/]+)\/profile\/servicetype-capability\.json$/;

/** A problem in a profile package, located by file inside the zip and JSON path inside that file. */
export interface ProfileIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** Entry name inside the zip; empty for the zip itself. */
  file: string;
  /** JSON path inside the file, e.g. `services[0].properties[2].max`; empty for the whole file. */
  path: string;
}

export type ProfileReadResult =
  | { ok: true; model: ProductModel; warnings: ProfileIssue[] }
  | { ok: false; error: ProfileIssue; warnings: ProfileIssue[] };

const profileZipLimits: Partial<ZipLimits> = {
  maxArchiveBytes: 8 * 1024 * 1024,
  maxEntries: 256,
  maxEntryBytes: 2 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
};

class ProfileRejection extends Error {
  constructor(readonly issue: ProfileIssue) {
    super(issue.message);
  }
}

function fail(code: string, message: string, file: string, path: ModelPath | string = ''): never {
  throw new ProfileRejection({
    severity: 'error',
    code,
    message,
    file,
    path: typeof path === 'string' ? path : formatPath(path),
  });
}

function parseJsonFile(file: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('PROFILE_BAD_ENCODING', `${file} is not UTF-8 text`, file);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    fail('PROFILE_BAD_JSON', `${file} is not valid JSON: ${error instanceof Error ? error.message : ''}`, file);
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = path.length > 0 ? formatPath(path) : '(root)';
  fail('PROFILE_INVALID_FIELD', `${where}: ${issue.message}`, file, path);
}

/** Where a normalized service came from, so a model path can be reported in the package's terms. */
interface ServiceSource {
  file: string;
  indexInFile: number;
  capabilityIndex: number | undefined;
}

const legacyNameKey: Record<string, string> = {
  properties: 'propertyName',
  commands: 'commandName',
  paras: 'paraName',
  responses: 'responseName',
};

const legacyOmKey: Record<string, string> = {
  upgrade: 'upgradeCapability',
  firmwareUpgrade: 'fwUpgradeCapability',
  config: 'configCapability',
};

/** Translates a normalized-model path into the file and JSON path of the package it was read from. */
function locate(path: ModelPath, sources: readonly ServiceSource[]): { file: string; path: string } {
  const [head, index, key, ...rest] = path;
  if (head === 'services' && typeof index === 'number' && sources[index]) {
    const source = sources[index];
    if ((key === 'serviceId' || key === 'option') && source.capabilityIndex !== undefined) {
      return {
        file: DEVICE_FILE,
        path: formatPath(['devices', 0, 'serviceTypeCapabilities', source.capabilityIndex, key]),
      };
    }
    const mapped: ModelPath = ['services', source.indexInFile];
    let parent = key;
    if (key !== undefined) mapped.push(key);
    for (const segment of rest) {
      if (segment === 'name' && typeof parent === 'string') mapped.push(legacyNameKey[parent] ?? 'name');
      else mapped.push(segment);
      if (typeof segment === 'string') parent = segment;
    }
    return { file: source.file, path: formatPath(mapped) };
  }
  if (head === 'omCapability' && typeof index === 'string') {
    return { file: DEVICE_FILE, path: formatPath(['devices', 0, 'omCapability', legacyOmKey[index] ?? index]) };
  }
  return { file: DEVICE_FILE, path: formatPath(['devices', 0, ...path]) };
}

function toField(raw: Omit<Field, 'name'>, name: string): Field {
  return {
    name,
    dataType: raw.dataType,
    required: raw.required,
    min: raw.min,
    max: raw.max,
    step: raw.step,
    maxLength: raw.maxLength,
    unit: raw.unit,
    enumList: raw.enumList,
    description: raw.description,
  };
}

function toOmCapability(raw: LegacyDevice['omCapability']): OmCapability {
  const om: OmCapability = {};
  if (raw?.upgradeCapability) om.upgrade = { supported: raw.upgradeCapability.supportUpgrade, protocol: 'PCP' };
  if (raw?.fwUpgradeCapability) {
    om.firmwareUpgrade = { supported: raw.fwUpgradeCapability.supportUpgrade, protocol: 'LWM2M' };
  }
  if (raw?.configCapability) {
    om.config = {
      supported: raw.configCapability.supportConfig,
      method: 'file',
      defaultConfigFile: raw.configCapability.defaultConfigFile,
    };
  }
  return om;
}

function serviceBody(raw: LegacyService): Pick<Service, 'properties' | 'commands' | 'description'> {
  return {
    description: raw.description,
    properties: raw.properties.map(({ propertyName, method, defaultValue, ...rest }) => ({
      ...toField(rest, propertyName),
      method: method ?? 'RE',
      ...(defaultValue === undefined ? {} : { defaultValue }),
    })),
    commands: raw.commands.map((c) => ({
      name: c.commandName,
      description: c.description,
      paras: c.paras.map(({ paraName, ...rest }) => toField(rest, paraName)),
      responses: c.responses.map((r) => ({
        name: r.responseName,
        paras: r.paras.map(({ paraName, ...rest }) => toField(rest, paraName)),
      })),
    })),
  };
}

/** Some tools zip the package inside one top folder; accept that and report names as they are in the zip. */
function findRoot(names: readonly string[]): string {
  if (names.includes(DEVICE_FILE)) return '';
  const nested = names.filter((n) => n.endsWith(`/${DEVICE_FILE}`) && n.split('/').length === 3);
  if (nested.length === 1) return nested[0]!.slice(0, -DEVICE_FILE.length);
  fail(
    'PROFILE_MISSING_DEVICE_FILE',
    `the package has no ${DEVICE_FILE} (found: ${names.slice(0, 8).join(', ') || 'nothing'})`,
    DEVICE_FILE,
  );
}

function readEntries(entries: ReadonlyMap<string, Uint8Array>, warnings: ProfileIssue[]): ProductModel {
  const names = [...entries.keys()];
  const root = findRoot(names);
  const deviceFile = root + DEVICE_FILE;
  const device = parseWith(deviceTypeFileSchema, parseJsonFile(deviceFile, entries.get(deviceFile)!), deviceFile)
    .devices[0]!;

  const byType = new Map<string, { file: string; indexInFile: number; service: LegacyService }>();
  for (const name of names) {
    if (name === deviceFile || name.endsWith('/')) continue;
    const relative = name.startsWith(root) ? name.slice(root.length) : name;
    const match = SERVICE_FILE.exec(relative);
    if (!match) {
      warnings.push({
        severity: 'warning',
        code: 'PROFILE_EXTRA_FILE',
        message: `${name} is not part of a profile; ignored`,
        file: name,
        path: '',
      });
      continue;
    }
    const file = parseWith(serviceTypeFileSchema, parseJsonFile(name, entries.get(name)!), name);
    file.services.forEach((service, indexInFile) => {
      if (byType.has(service.serviceType)) {
        fail(
          'PROFILE_DUPLICATE_SERVICE_TYPE',
          `serviceType "${service.serviceType}" is defined twice (also in ${byType.get(service.serviceType)!.file})`,
          name,
          ['services', indexInFile, 'serviceType'],
        );
      }
      if (service.serviceType !== match[1]) {
        warnings.push({
          severity: 'warning',
          code: 'PROFILE_FOLDER_NAME',
          message: `folder "${match[1]}" holds serviceType "${service.serviceType}"; the folder is usually named after it`,
          file: name,
          path: formatPath(['services', indexInFile, 'serviceType']),
        });
      }
      byType.set(service.serviceType, { file: name, indexInFile, service });
    });
  }

  const capabilities =
    device.serviceTypeCapabilities ??
    [...byType.keys()].map((serviceType) => ({ serviceId: serviceType, serviceType, option: undefined }));
  const sources: ServiceSource[] = [];
  const services = capabilities.map((cap, capabilityIndex) => {
    const found = byType.get(cap.serviceType);
    if (!found) {
      fail(
        'PROFILE_MISSING_SERVICE_FILE',
        `service "${cap.serviceId}" has serviceType "${cap.serviceType}" but the package has no service/${cap.serviceType}/profile/servicetype-capability.json`,
        deviceFile,
        ['devices', 0, 'serviceTypeCapabilities', capabilityIndex, 'serviceType'],
      );
    }
    sources.push({
      file: found.file,
      indexInFile: found.indexInFile,
      capabilityIndex: device.serviceTypeCapabilities ? capabilityIndex : undefined,
    });
    return {
      serviceId: cap.serviceId,
      serviceType: cap.serviceType,
      option: cap.option ?? 'Optional',
      ...serviceBody(found.service),
    };
  });
  const used = new Set(capabilities.map((c) => c.serviceType));
  for (const [type, { file, indexInFile }] of byType) {
    if (!used.has(type)) {
      warnings.push({
        severity: 'warning',
        code: 'PROFILE_UNUSED_SERVICE',
        message: `serviceType "${type}" is not listed in serviceTypeCapabilities; ignored`,
        file,
        path: formatPath(['services', indexInFile]),
      });
    }
  }

  const candidate = {
    deviceType: device.deviceType,
    manufacturerId: device.manufacturerId,
    manufacturerName: device.manufacturerName,
    model: device.model,
    protocolType: device.protocolType,
    description: device.description,
    services,
    omCapability: toOmCapability(device.omCapability),
    customTopics: (device.customTopics ?? []).map((t) => ({ ...t })),
  };
  const parsed = productModelSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = locate(
      issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
      sources,
    );
    fail('PROFILE_INVALID_FIELD', `${where.path || '(root)'}: ${issue.message}`, where.file, where.path);
  }
  const issues = checkProductModel(parsed.data);
  const toProfileIssue = (i: ModelIssue): ProfileIssue => {
    const where = locate(i.path, sources);
    return { severity: i.severity, code: i.code, message: i.message, ...where };
  };
  warnings.push(...issues.filter((i) => i.severity === 'warning').map(toProfileIssue));
  const firstError = issues.find((i) => i.severity === 'error');
  if (firstError) throw new ProfileRejection(toProfileIssue(firstError));
  return parsed.data;
}

/** Reads a profile from the files of a package (name -> bytes). Never throws. */
export function readProfileEntries(entries: ReadonlyMap<string, Uint8Array>): ProfileReadResult {
  const warnings: ProfileIssue[] = [];
  try {
    return { ok: true, model: readEntries(entries, warnings), warnings };
  } catch (error) {
    if (error instanceof ProfileRejection) return { ok: false, error: error.issue, warnings };
    // A bug of ours, not of the package: still a clear refusal instead of a crash.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: { severity: 'error', code: 'PROFILE_UNREADABLE', message, file: '', path: '' },
      warnings,
    };
  }
}

/** Reads a profile package zip. Never throws. */
export async function readProfileZip(bytes: Uint8Array): Promise<ProfileReadResult> {
  const zip = await readZip(bytes, profileZipLimits);
  if (!zip.ok) {
    return {
      ok: false,
      error: {
        severity: 'error',
        code: zip.error.code,
        message: zip.error.message,
        file: zip.error.file ?? '',
        path: '',
      },
      warnings: [],
    };
  }
  return readProfileEntries(zip.entries);
}

/** `{deviceType}_{manufacturerId}_{model}.zip`, with characters unsafe in file names replaced. */
export function profileZipName(model: Pick<ProductModel, 'deviceType' | 'manufacturerId' | 'model'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${safe(model.deviceType)}_${safe(model.manufacturerId)}_${safe(model.model)}.zip`;
}

const numberText = (n: number | undefined) => (n === undefined ? null : String(n));

function legacyField(field: Field) {
  return {
    dataType: field.dataType,
    required: field.required,
    min: numberText(field.min),
    max: numberText(field.max),
    step: field.step ?? null,
    maxLength: field.maxLength ?? null,
    unit: field.unit ?? null,
    enumList: field.enumList ?? null,
    ...(field.description === undefined ? {} : { description: field.description }),
  };
}

function legacyService(service: Service) {
  return {
    serviceType: service.serviceType,
    description: service.description ?? null,
    commands: service.commands.map((c) => ({
      commandName: c.name,
      ...(c.description === undefined ? {} : { description: c.description }),
      paras: c.paras.map((p) => ({ paraName: p.name, ...legacyField(p) })),
      responses: c.responses.map((r) => ({
        responseName: r.name,
        paras: r.paras.map((p) => ({ paraName: p.name, ...legacyField(p) })),
      })),
    })),
    properties: service.properties.map((p) => ({
      propertyName: p.name,
      ...legacyField(p),
      method: p.method,
      ...(p.defaultValue === undefined ? {} : { defaultValue: p.defaultValue }),
    })),
    events: [],
  };
}

function legacyOmCapability(om: OmCapability) {
  return {
    ...(om.upgrade && { upgradeCapability: { supportUpgrade: om.upgrade.supported, upgradeProtocolType: 'PCP' } }),
    ...(om.firmwareUpgrade && {
      fwUpgradeCapability: { supportUpgrade: om.firmwareUpgrade.supported, upgradeProtocolType: 'LWM2M' },
    }),
    ...(om.config && {
      configCapability: {
        supportConfig: om.config.supported,
        configMethod: 'file',
        ...(om.config.defaultConfigFile === undefined ? {} : { defaultConfigFile: om.config.defaultConfigFile }),
      },
    }),
  };
}

/** The package files of a model, in the order they are zipped. */
export function profileFiles(model: ProductModel): [string, string][] {
  const device = {
    devices: [
      {
        manufacturerId: model.manufacturerId,
        manufacturerName: model.manufacturerName,
        model: model.model,
        protocolType: model.protocolType,
        deviceType: model.deviceType,
        ...(model.description === undefined ? {} : { description: model.description }),
        omCapability: legacyOmCapability(model.omCapability),
        serviceTypeCapabilities: model.services.map((s) => ({
          serviceId: s.serviceId,
          serviceType: s.serviceType,
          option: s.option,
        })),
        ...(model.customTopics.length > 0 ? { customTopics: model.customTopics } : {}),
      },
    ],
  };
  const files: [string, string][] = [[DEVICE_FILE, JSON.stringify(device, null, 2) + '\n']];
  const written = new Set<string>();
  for (const service of model.services) {
    if (written.has(service.serviceType)) continue;
    written.add(service.serviceType);
    files.push([
      `service/${service.serviceType}/profile/servicetype-capability.json`,
      JSON.stringify({ services: [legacyService(service)] }, null, 2) + '\n',
    ]);
  }
  return files;
}

export async function writeProfileZip(model: ProductModel): Promise<{ fileName: string; bytes: Uint8Array }> {
  return { fileName: profileZipName(model), bytes: await writeZip(profileFiles(model)) };
}
