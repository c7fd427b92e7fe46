// Uplink payloads of both dialects, parsed into service reports; bad input is an error value, never a throw.
import { z } from 'zod';
import type { ServiceReport } from '../../contract/codecs.js';
import { optionalField } from '../../contract/define.js';

export interface UplinkError {
  code: string;
  message: string;
}

export type UplinkParse<T> = { ok: true; value: T } | { ok: false; error: UplinkError };

const properties = z.record(z.string().min(1).max(64), z.unknown());

const optional = optionalField;

const legacyReport = z.object({
  msgType: z.literal('deviceReq'),
  hasMore: optional(z.number().int()),
  data: z
    .array(z.object({ serviceId: z.string().min(1).max(64), serviceData: properties, eventTime: optional(z.string()) }))
    .min(1),
});
const legacyResponse = z.object({
  msgType: z.literal('deviceRsp'),
  mid: z.number().int().min(0).max(65535),
  errcode: z.number().int(),
  hasMore: optional(z.number().int()),
  body: optional(z.record(z.string(), z.unknown())),
});
const iotdaCommandResponse = z.object({
  result_code: optional(z.number().int()),
  response_name: optional(z.string().max(128)),
  paras: optional(z.record(z.string(), z.unknown())),
});

const iotdaService = z.object({
  service_id: z.string().min(1).max(64),
  properties,
  event_time: optional(z.string()),
});
const iotdaReport = z.object({ services: z.array(iotdaService).min(1) });
const gatewayReport = z.object({
  devices: z.array(z.object({ device_id: z.string().min(1).max(160), services: z.array(iotdaService).min(1) })).min(1),
});

export function parseJson(bytes: Uint8Array): UplinkParse<unknown> {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, error: { code: 'BAD_JSON', message: error instanceof Error ? error.message : 'not JSON' } };
  }
}

export function schemaError(error: z.ZodError, what: string): UplinkError {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join('.') : '(root)';
  return { code: 'BAD_PAYLOAD', message: `${what}: ${where}: ${issue?.message ?? 'invalid'}` };
}

export type LegacyUplink =
  | { kind: 'data'; services: ServiceReport[] }
  | { kind: 'commandResponse'; mid: number; errcode: number; body: Record<string, unknown> };

export function parseLegacyJson(bytes: Uint8Array): UplinkParse<LegacyUplink> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const report = legacyReport.safeParse(json.value);
  if (report.success) {
    return {
      ok: true,
      value: {
        kind: 'data',
        services: report.data.data.map((d) => ({
          serviceId: d.serviceId,
          properties: d.serviceData,
          ...(d.eventTime === undefined ? {} : { eventTime: d.eventTime }),
        })),
      },
    };
  }
  const response = legacyResponse.safeParse(json.value);
  if (response.success)
    return {
      ok: true,
      value: {
        kind: 'commandResponse',
        mid: response.data.mid,
        errcode: response.data.errcode,
        body: response.data.body ?? {},
      },
    };
  return { ok: false, error: schemaError(report.error, 'not a deviceReq report') };
}

const toReports = (services: z.infer<typeof iotdaService>[]): ServiceReport[] =>
  services.map((s) => ({
    serviceId: s.service_id,
    properties: s.properties,
    ...(s.event_time === undefined ? {} : { eventTime: s.event_time }),
  }));

export function parsePropertiesReport(bytes: Uint8Array): UplinkParse<ServiceReport[]> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = iotdaReport.safeParse(json.value);
  return r.success
    ? { ok: true, value: toReports(r.data.services) }
    : { ok: false, error: schemaError(r.error, 'properties report') };
}

export function parseGatewayReport(bytes: Uint8Array): UplinkParse<{ deviceId: string; services: ServiceReport[] }[]> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = gatewayReport.safeParse(json.value);
  return r.success
    ? { ok: true, value: r.data.devices.map((d) => ({ deviceId: d.device_id, services: toReports(d.services) })) }
    : { ok: false, error: schemaError(r.error, 'gateway report') };
}

/** `sys/commands/response/request_id=…` (§3.2): `{result_code, response_name, paras}`; a missing result_code is 0. */
export function parseCommandResponse(
  bytes: Uint8Array,
): UplinkParse<{ resultCode: number; responseName?: string; paras: Record<string, unknown> }> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = iotdaCommandResponse.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'command response') };
  return {
    ok: true,
    value: {
      resultCode: r.data.result_code ?? 0,
      ...(r.data.response_name === undefined ? {} : { responseName: r.data.response_name }),
      paras: r.data.paras ?? {},
    },
  };
}

const propertiesSetResponse = z.object({
  result_code: optional(z.number().int()),
  result_desc: optional(z.string().max(1024)),
});

/** `sys/properties/set/response/request_id=…` (§3.2): `{result_code, result_desc}`; a missing result_code is 0. */
export function parsePropertiesSetResponse(
  bytes: Uint8Array,
): UplinkParse<{ resultCode: number; body: Record<string, unknown> }> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = propertiesSetResponse.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'property set response') };
  return {
    ok: true,
    value: {
      resultCode: r.data.result_code ?? 0,
      body: r.data.result_desc === undefined ? {} : { result_desc: r.data.result_desc },
    },
  };
}

/** `sys/properties/get/response/request_id=…` (§3.2): `{services:[{service_id, properties, event_time}]}`. */
export function parsePropertiesGetResponse(
  bytes: Uint8Array,
): UplinkParse<{ resultCode: number; body: Record<string, unknown> }> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = iotdaReport.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'property get response') };
  return { ok: true, value: { resultCode: 0, body: { services: r.data.services } } };
}
