// The pure glue between the package forms and the contract: form values → request bodies, and the contract's
// own validation as the first problem of each field.
import {
  firmwareBuildSchema,
  firmwareProtocols,
  packageUploadQuerySchema,
  softwareBuildSchema,
  softwareProtocols,
} from '../../../core/contract/index.js';
import type { z } from 'zod';

export type SoftwareProtocol = (typeof softwareProtocols)[number];
export type FirmwareProtocol = (typeof firmwareProtocols)[number];

export interface BuilderForm {
  version: string;
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: SoftwareProtocol | '';
  platform: string;
  deviceShard: number | string;
  versionCheckCode: string;
  supportSourceVersionList: string;
  description: string;
}

export const emptyBuilderForm: BuilderForm = {
  version: '',
  deviceType: '',
  manufacturerName: '',
  model: '',
  protocolType: '',
  platform: 'linux',
  deviceShard: 500,
  versionCheckCode: '',
  supportSourceVersionList: '',
  description: '',
};

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

export function toSoftwareBuildInput(form: BuilderForm, filePath: string | undefined): Record<string, unknown> {
  return {
    filePath: filePath ?? '',
    version: form.version,
    deviceType: form.deviceType.trim(),
    manufacturerName: form.manufacturerName.trim(),
    model: form.model.trim(),
    protocolType: form.protocolType === '' ? undefined : form.protocolType,
    platform: form.platform.trim(),
    deviceShard: typeof form.deviceShard === 'number' ? form.deviceShard : Number.NaN,
    versionCheckCode: optional(form.versionCheckCode),
    supportSourceVersionList: optional(form.supportSourceVersionList),
    description: optional(form.description),
  };
}

/** The first problem of each top-level field, as the schema words it. */
export function fieldProblems(schema: z.ZodType, input: unknown): Map<string, string> {
  const problems = new Map<string, string>();
  const result = schema.safeParse(input);
  if (result.success) return problems;
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!problems.has(field)) problems.set(field, issue.message);
  }
  return problems;
}

export const softwareProblems = (input: Record<string, unknown>) => fieldProblems(softwareBuildSchema, input);

export const firmwareProblems = (binPath: string | undefined) =>
  fieldProblems(firmwareBuildSchema, { binPath: binPath ?? '' });

/** What a firmware zip needs at upload: it carries no description of its own. */
export interface FirmwareMetadataForm {
  version: string;
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: FirmwareProtocol | '';
  supportSourceVersionList: string;
  description: string;
}

export const emptyFirmwareMetadata: FirmwareMetadataForm = {
  version: '',
  deviceType: '',
  manufacturerName: '',
  model: '',
  protocolType: '',
  supportSourceVersionList: '',
  description: '',
};

export const requiredFirmwareFields = ['version', 'deviceType', 'manufacturerName', 'model', 'protocolType'] as const;

export function toUploadQuery(form: FirmwareMetadataForm): Record<string, string | undefined> {
  return {
    version: optional(form.version),
    deviceType: optional(form.deviceType),
    manufacturerName: optional(form.manufacturerName),
    model: optional(form.model),
    protocolType: form.protocolType === '' ? undefined : form.protocolType,
    supportSourceVersionList: optional(form.supportSourceVersionList),
    description: optional(form.description),
  };
}

/** The upload query's own rules, plus the fields a firmware package cannot do without. */
export function firmwareMetadataProblems(form: FirmwareMetadataForm): Map<string, string> {
  const query = toUploadQuery(form);
  const problems = fieldProblems(packageUploadQuerySchema, query);
  for (const field of requiredFirmwareFields) {
    if (query[field] === undefined && !problems.has(field)) problems.set(field, 'needed');
  }
  return problems;
}

/** A product model's identity for a form; a protocol the package kind cannot use is left for the user. */
export function identityFromProduct<P extends string>(
  product: { deviceType: string; manufacturerName: string; model: string; protocolType: string },
  protocols: readonly P[],
): { deviceType: string; manufacturerName: string; model: string; protocolType: P | '' } {
  const protocol = protocols.find((p) => p === product.protocolType) ?? '';
  return {
    deviceType: product.deviceType,
    manufacturerName: product.manufacturerName,
    model: product.model,
    protocolType: protocol,
  };
}
