// The one path every device uplink takes, whatever its protocol: decode binary with the product's codec, drop
// services the model does not have, check values against the model, record what was refused, ingest the rest.
import type { DecodedMessage, DecodeResult, ServiceReport } from '../contract/codecs.js';
import type { ProductModel } from '../contract/product-model.js';
import type { Logger } from '../log/logger.js';
import { checkField } from '../products/index.js';
import type { DataStore } from './data-store.js';

/** Decodes binary uplinks with the product's codec (the codecs capability's decodeUplink). */
export type UplinkDecoder = (productId: string, bytes: Uint8Array, source: string) => Promise<DecodeResult>;

/** A refused uplink, kept with its raw bytes on the device's uplink errors. */
export interface UplinkError {
  code: string;
  message: string;
}

export interface UplinkDevice {
  deviceId: string;
  productId: string;
}

export interface UplinkPipelineDeps {
  data: () => DataStore;
  productModel: (productId: string) => ProductModel | undefined;
  decodeUplink?: UplinkDecoder | undefined;
  logger: () => Logger | undefined;
}

export interface UplinkPipeline {
  /** Stores reported services: unknown services and bad values are recorded as errors, the rest ingested. */
  report(device: UplinkDevice, source: string, services: ServiceReport[], raw: Uint8Array): Promise<void>;
  /**
   * Decodes binary with the product's codec. Data is reported at once; a command response is handed back to the
   * caller (it belongs to whoever sent the command). Undefined when the bytes were refused (the error is recorded).
   */
  decode(device: UplinkDevice, source: string, bytes: Uint8Array): Promise<DecodedMessage | undefined>;
  /** Records a refused uplink with the reason. */
  refuse(deviceId: string, source: string, error: UplinkError, raw: Uint8Array): void;
}

/** The reasons the values of one report break the model, and the part of the report that does not. */
export function checkReport(
  model: ProductModel | undefined,
  services: ServiceReport[],
): { valid: ServiceReport[]; unknownServices: string[]; problems: string[] } {
  const known = model?.services;
  if (!known || known.length === 0) return { valid: services, unknownServices: [], problems: [] };
  const valid: ServiceReport[] = [];
  const unknownServices: string[] = [];
  const problems: string[] = [];
  for (const report of services) {
    const service = known.find((k) => k.serviceId === report.serviceId);
    if (!service) {
      unknownServices.push(report.serviceId);
      continue;
    }
    if (service.properties.length === 0) {
      valid.push(report);
      continue;
    }
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(report.properties)) {
      const property = service.properties.find((p) => p.name === name);
      const issues = property
        ? checkField(property, value, `${report.serviceId}.${name}`).map((i) => i.message)
        : [`service ${report.serviceId} has no property ${name}`];
      if (issues.length === 0) kept[name] = value;
      else problems.push(...issues);
    }
    if (Object.keys(kept).length > 0) valid.push({ ...report, properties: kept });
  }
  return { valid, unknownServices, problems };
}

export function createUplinkPipeline(deps: UplinkPipelineDeps): UplinkPipeline {
  const refuse = (deviceId: string, source: string, error: UplinkError, raw: Uint8Array) => {
    deps.data().recordError(deviceId, source, error, raw);
    deps.logger()?.info(`uplink of ${deviceId} on ${source} kept as an error: ${error.code} ${error.message}`);
  };

  const report = async (device: UplinkDevice, source: string, services: ServiceReport[], raw: Uint8Array) => {
    const { valid, unknownServices, problems } = checkReport(deps.productModel(device.productId), services);
    if (unknownServices.length > 0)
      refuse(
        device.deviceId,
        source,
        { code: 'UNKNOWN_SERVICE', message: `the product model has no service ${unknownServices.join(', ')}` },
        raw,
      );
    // Values of the wrong type or out of the model's range are recorded with the reason and not stored.
    if (problems.length > 0) refuse(device.deviceId, source, { code: 'BAD_VALUE', message: problems.join('; ') }, raw);
    if (valid.length > 0) await deps.data().ingest(device.deviceId, valid);
  };

  return {
    report,
    refuse,
    async decode(device, source, bytes) {
      if (!deps.decodeUplink) {
        refuse(device.deviceId, source, { code: 'NO_CODEC', message: 'no codec service is installed' }, bytes);
        return undefined;
      }
      const decoded = await deps.decodeUplink(device.productId, bytes, source);
      if (!decoded.ok) {
        refuse(device.deviceId, source, decoded.error, bytes);
        return undefined;
      }
      if (decoded.message.kind === 'data') await report(device, source, decoded.message.services, bytes);
      return decoded.message;
    },
  };
}
