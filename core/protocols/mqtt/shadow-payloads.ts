// IoTDA device-initiated requests the platform answers (§3.2, §3.3): `sys/shadow/get/request_id=…` with the shadow on
// `sys/shadow/get/response/request_id=…`, and `$time_sync` events on `sys/events/up` answered on `sys/events/down`.
// Pure: bytes in, values or error values out; bytes out for the answers.
import { z } from 'zod';
import type { EventService } from './device-events.js';
import { optionalField } from '../../contract/define.js';
import type { EncodedCommand } from './downlink-payloads.js';
import type { UplinkParse } from './uplink-payloads.js';

const optional = optionalField;

function parseJsonObject(bytes: Uint8Array, what: string): UplinkParse<unknown> {
  const text = Buffer.from(bytes).toString('utf8').trim();
  // The SDKs send `{}` when they ask for the whole shadow; an empty body means the same.
  if (text === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      error: { code: 'BAD_JSON', message: `${what}: ${error instanceof Error ? error.message : 'not JSON'}` },
    };
  }
}

function schemaError(error: z.ZodError, what: string) {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join('.') : '(root)';
  return { code: 'BAD_PAYLOAD', message: `${what}: ${where}: ${issue?.message ?? 'invalid'}` };
}

const shadowGetRequest = z.object({
  object_device_id: optional(z.string().max(160)),
  service_id: optional(z.string().min(1).max(64)),
});

export interface ShadowGetRequest {
  /** Only this service's shadow; all services when absent. */
  serviceId?: string;
}

export function parseShadowGetRequest(bytes: Uint8Array): UplinkParse<ShadowGetRequest> {
  const json = parseJsonObject(bytes, 'shadow get request');
  if (!json.ok) return json;
  const r = shadowGetRequest.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'shadow get request') };
  return { ok: true, value: r.data.service_id === undefined ? {} : { serviceId: r.data.service_id } };
}

/** One service of the shadow as the device sees it; times are the platform's `yyyyMMdd'T'HHmmss'Z'`. */
export interface WireShadowService {
  serviceId: string;
  desired: { properties: Record<string, unknown>; eventTime: string | null };
  reported: { properties: Record<string, unknown>; eventTime: string | null };
  version: number;
}

export function shadowGetResponse(deviceId: string, requestId: string, services: WireShadowService[]): EncodedCommand {
  return {
    topic: `$oc/devices/${deviceId}/sys/shadow/get/response/request_id=${requestId}`,
    payload: JSON.stringify({
      object_device_id: deviceId,
      shadow: services.map((s) => ({
        service_id: s.serviceId,
        desired: { properties: s.desired.properties, event_time: s.desired.eventTime },
        reported: { properties: s.reported.properties, event_time: s.reported.eventTime },
        version: s.version,
      })),
    }),
  };
}

/**
 * The device's send time of a `$time_sync` `time_sync_request`, in ms. The Python SDK sends it as a string of digits,
 * the C SDK as a number; anything else is not a time sync request.
 */
export function timeSyncSendTime(event: EventService): number | undefined {
  if (event.serviceId !== '$time_sync' || event.eventType !== 'time_sync_request') return undefined;
  const value = event.paras['device_send_time'];
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
}

/** `time_sync_response` (§3.3): `{device_send_time, server_recv_time, server_send_time}` in ms, on `sys/events/down`. */
export function timeSyncResponse(
  deviceId: string,
  times: { deviceSendTime: number; serverRecvTime: number; serverSendTime: number },
  eventTime: string,
): EncodedCommand {
  return {
    topic: `$oc/devices/${deviceId}/sys/events/down`,
    payload: JSON.stringify({
      object_device_id: deviceId,
      services: [
        {
          service_id: '$time_sync',
          event_type: 'time_sync_response',
          event_time: eventTime,
          paras: {
            device_send_time: times.deviceSendTime,
            server_recv_time: times.serverRecvTime,
            server_send_time: times.serverSendTime,
          },
        },
      ],
    }),
  };
}
