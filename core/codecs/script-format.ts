// The platform's codec JSON: decode output (legacy msgType deviceReq/deviceRsp and IoTDA msg_type shapes)
// normalized to one internal form, and the command JSON handed to a script's encode().
import { z } from 'zod';
import type { CodecCommand, CodecError, DecodedMessage } from '../contract/codecs.js';

const record = z.record(z.string(), z.unknown());
const eventTime = z.union([z.string(), z.number()]).optional();

const legacyData = z.object({
  msgType: z.literal('deviceReq'),
  data: z.array(z.object({ serviceId: z.string().min(1), serviceData: record, eventTime })).min(1),
});
const legacyResponse = z.object({
  msgType: z.literal('deviceRsp'),
  mid: z.number().int(),
  errcode: z.number().int(),
  body: record.optional(),
});
const iotdaData = z.object({
  msg_type: z.literal('properties_report'),
  services: z.array(z.object({ service_id: z.string().min(1), properties: record, event_time: eventTime })).min(1),
});
const iotdaResponse = z.object({
  msg_type: z.literal('commands_response'),
  mid: z.number().int().optional(),
  request_id: z.union([z.string(), z.number()]).optional(),
  result_code: z.number().int(),
  command_name: z.string().optional(),
  response_name: z.string().optional(),
  paras: record.optional(),
});

export type ParsedDecode = { ok: true; message: DecodedMessage } | { ok: false; error: CodecError };

const time = (t: string | number | undefined) => (t === undefined ? {} : { eventTime: String(t) });

/** Parses what a script's decode() returned. */
export function parseScriptDecodeOutput(text: string): ParsedDecode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: { code: 'DECODE_NOT_JSON', message: `decode returned text that is not JSON: ${(error as Error).message}` },
    };
  }
  const a = legacyData.safeParse(value);
  if (a.success) {
    return {
      ok: true,
      message: {
        kind: 'data',
        services: a.data.data.map((s) => ({ serviceId: s.serviceId, properties: s.serviceData, ...time(s.eventTime) })),
      },
    };
  }
  const b = legacyResponse.safeParse(value);
  if (b.success) {
    return {
      ok: true,
      message: { kind: 'commandResponse', mid: b.data.mid, errcode: b.data.errcode, body: b.data.body ?? {} },
    };
  }
  const c = iotdaData.safeParse(value);
  if (c.success) {
    return {
      ok: true,
      message: {
        kind: 'data',
        services: c.data.services.map((s) => ({
          serviceId: s.service_id,
          properties: s.properties,
          ...time(s.event_time),
        })),
      },
    };
  }
  const d = iotdaResponse.safeParse(value);
  if (d.success) {
    const mid = d.data.mid ?? (typeof d.data.request_id === 'number' ? d.data.request_id : Number(d.data.request_id));
    if (!Number.isInteger(mid)) {
      return { ok: false, error: { code: 'DECODE_BAD_FORMAT', message: 'commands_response needs an integer mid' } };
    }
    return {
      ok: true,
      message: {
        kind: 'commandResponse',
        mid,
        errcode: d.data.result_code,
        body: d.data.paras ?? {},
        ...(d.data.command_name ? { commandName: d.data.command_name } : {}),
      },
    };
  }
  const kind =
    typeof value === 'object' && value !== null
      ? ((value as Record<string, unknown>).msgType ?? (value as Record<string, unknown>).msg_type)
      : undefined;
  return {
    ok: false,
    error: {
      code: 'DECODE_BAD_FORMAT',
      message:
        kind === undefined
          ? 'decode output has no msgType (deviceReq / deviceRsp) or msg_type (properties_report / commands_response)'
          : `decode output of type ${JSON.stringify(kind)} does not have the fields that type needs`,
    },
  };
}

/**
 * The JSON a script's encode() receives: the legacy cloudReq fields and the IoTDA commands fields together,
 * so a script written for either platform reads what it expects.
 */
export function scriptEncodeInput(command: CodecCommand): string {
  return JSON.stringify({
    msgType: 'cloudReq',
    serviceId: command.serviceId,
    cmd: command.name,
    paras: command.paras,
    hasMore: 0,
    mid: command.mid,
    msg_type: 'commands',
    service_id: command.serviceId,
    command_name: command.name,
  });
}
