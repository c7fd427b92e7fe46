// IoTDA device events (§3.2): `sys/events/up` from a device, `sys/events/down` to it, each a list of services with
// an event type and its paras. Parsing never throws; bad input is an error value.
import { z } from 'zod';
import { optionalField } from '../../contract/define.js';
import { parseJson, schemaError, type UplinkParse } from './uplink-payloads.js';

export interface EventService {
  serviceId: string;
  eventType: string;
  eventTime?: string;
  eventId?: string;
  paras: Record<string, unknown>;
}

export interface DeviceEvents {
  /** The device the events are about (a gateway names its sub-device here); absent = the sender. */
  objectDeviceId?: string;
  services: EventService[];
}

const eventsSchema = z.object({
  object_device_id: optionalField(z.string().min(1).max(160)),
  services: z
    .array(
      z.object({
        service_id: z.string().min(1).max(64),
        event_type: z.string().min(1).max(64),
        event_time: optionalField(z.string().max(64)),
        event_id: optionalField(z.string().max(128)),
        paras: optionalField(z.record(z.string(), z.unknown())),
      }),
    )
    .min(1)
    .max(100),
});

export function parseDeviceEvents(bytes: Uint8Array): UplinkParse<DeviceEvents> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = eventsSchema.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'device event') };
  return {
    ok: true,
    value: {
      ...(r.data.object_device_id === undefined ? {} : { objectDeviceId: r.data.object_device_id }),
      services: r.data.services.map((s) => ({
        serviceId: s.service_id,
        eventType: s.event_type,
        ...(s.event_time === undefined ? {} : { eventTime: s.event_time }),
        ...(s.event_id === undefined ? {} : { eventId: s.event_id }),
        paras: s.paras ?? {},
      })),
    },
  };
}

export const iotdaEventsDownTopic = (deviceId: string) => `$oc/devices/${deviceId}/sys/events/down`;

/** One platform event to a device on `sys/events/down`; `eventTime` in the MQTT form `yyyyMMddTHHmmssZ`. */
export function iotdaEventDown(
  deviceId: string,
  /** `eventId`: the request's event_id, which a response carries back (§3.3 responses). */
  event: { serviceId: string; eventType: string; eventTime: string; eventId?: string; paras: Record<string, unknown> },
): { topic: string; payload: string } {
  return {
    topic: iotdaEventsDownTopic(deviceId),
    payload: JSON.stringify({
      object_device_id: deviceId,
      services: [
        {
          service_id: event.serviceId,
          event_type: event.eventType,
          event_time: event.eventTime,
          ...(event.eventId === undefined ? {} : { event_id: event.eventId }),
          paras: event.paras,
        },
      ],
    }),
  };
}
