// What a virtual gateway publishes (§3.2/§3.3): its $sub_device_manager requests on sys/events/up and batch
// property reports for its sub-devices, each in pages the platform accepts; and what it reads of sys/events/down.
import type { ProductModel } from '../../contract/product-model.js';
import { parseDeviceEvents } from '../../protocols/mqtt/device-events.js';
import { generateReport, type Random } from './value-generator.js';

/** Sub-devices per request or batch report: many sub-devices go out in several messages. */
export const GATEWAY_PAGE = 100;

export interface GatewayFrame {
  topic: string;
  payload: string;
}

/** `yyyyMMddTHHmmssZ`, the MQTT event_time form. */
export const compactUtc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

const pages = <T>(items: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += GATEWAY_PAGE) out.push(items.slice(i, i + GATEWAY_PAGE));
  return out;
};

function subDeviceEvent(gatewayId: string, eventType: string, paras: object, nowMs: number): GatewayFrame {
  return {
    topic: `$oc/devices/${gatewayId}/sys/events/up`,
    payload: JSON.stringify({
      object_device_id: gatewayId,
      services: [{ service_id: '$sub_device_manager', event_type: eventType, event_time: compactUtc(nowMs), paras }],
    }),
  };
}

export function addSubDeviceRequests(
  gatewayId: string,
  productId: string,
  nodeIds: readonly string[],
  nowMs: number,
): GatewayFrame[] {
  return pages(nodeIds).map((page) =>
    subDeviceEvent(
      gatewayId,
      'add_sub_device_request',
      { devices: page.map((nodeId) => ({ node_id: nodeId, product_id: productId, name: nodeId })) },
      nowMs,
    ),
  );
}

export function subDeviceStatusUpdates(
  gatewayId: string,
  deviceIds: readonly string[],
  status: 'ONLINE' | 'OFFLINE',
  nowMs: number,
): GatewayFrame[] {
  return pages(deviceIds).map((page) =>
    subDeviceEvent(
      gatewayId,
      'sub_device_update_status',
      { device_statuses: page.map((device_id) => ({ device_id, status })) },
      nowMs,
    ),
  );
}

export function batchReports(
  gatewayId: string,
  deviceIds: readonly string[],
  model: ProductModel,
  random: Random,
  nowMs: number,
): GatewayFrame[] {
  return pages(deviceIds).map((page) => ({
    topic: `$oc/devices/${gatewayId}/sys/gateway/sub_devices/properties/report`,
    payload: JSON.stringify({
      devices: page.map((device_id) => ({
        device_id,
        services: generateReport(model, random, nowMs).map((s) => ({
          service_id: s.serviceId,
          properties: s.properties,
          event_time: compactUtc(nowMs),
        })),
      })),
    }),
  }));
}

/** Sub-devices the platform names in an events/down message: added (response, add notify) or deleted. */
export function subDeviceChanges(payload: Buffer): { added: string[]; deleted: string[] } {
  const r = parseDeviceEvents(payload);
  const added: string[] = [];
  const deleted: string[] = [];
  if (!r.ok) return { added, deleted };
  const idsOf = (list: unknown): string[] =>
    Array.isArray(list)
      ? list.flatMap((d: unknown) =>
          typeof d === 'string'
            ? [d]
            : typeof d === 'object' && d !== null && typeof (d as { device_id?: unknown }).device_id === 'string'
              ? [(d as { device_id: string }).device_id]
              : [],
        )
      : [];
  for (const s of r.value.services) {
    if (s.serviceId !== '$sub_device_manager') continue;
    if (s.eventType === 'add_sub_device_response') added.push(...idsOf(s.paras['successful_devices']));
    if (s.eventType === 'add_sub_device_notify') added.push(...idsOf(s.paras['devices']));
    if (s.eventType === 'delete_sub_device_notify') deleted.push(...idsOf(s.paras['devices']));
  }
  return { added, deleted };
}
