// The `$sub_device_manager` event service (§3.3): what a gateway asks (add, delete, sync, status) and what the
// platform answers or notifies. Pure: paras in, typed requests or an error out; platform events built as paras.
import { z } from 'zod';
import { optionalField } from '../contract/define.js';
import type { Device } from '../contract/devices.js';
import type { UplinkParse } from '../protocols/mqtt/uplink-payloads.js';
import { schemaError } from '../protocols/mqtt/uplink-payloads.js';

export const SUB_DEVICE_SERVICE = '$sub_device_manager';

export interface SubDeviceToAdd {
  nodeId: string;
  productId: string;
  name?: string;
  description?: string;
  extensionInfo?: Record<string, unknown>;
}

export type SubDeviceRequest =
  | { kind: 'add'; devices: SubDeviceToAdd[] }
  | { kind: 'delete'; deviceIds: string[] }
  | { kind: 'status'; statuses: { deviceId: string; status: 'ONLINE' | 'OFFLINE' }[] }
  | { kind: 'sync'; version?: number };

const text = (max: number) => optionalField(z.string().max(max));
const addSchema = z.object({
  devices: z
    .array(
      z.object({
        node_id: z.string().min(1).max(64),
        product_id: z.string().min(1).max(64),
        name: text(128),
        description: text(1024),
        parent_device_id: text(160),
        extension_info: optionalField(z.record(z.string(), z.unknown())),
      }),
    )
    .min(1)
    .max(1000),
});
const deleteSchema = z.object({ devices: z.array(z.string().min(1).max(160)).min(1).max(1000) });
const statusSchema = z.object({
  device_statuses: z
    .array(
      z.object({
        device_id: z.string().min(1).max(160),
        status: z
          .string()
          .transform((s) => s.toUpperCase())
          .pipe(z.enum(['ONLINE', 'OFFLINE'])),
      }),
    )
    .min(1)
    .max(1000),
});
const syncSchema = z.object({ version: optionalField(z.number().int().min(0)) });

/** Undefined: an event type of the service that the platform sends or does not know (it is ignored). */
export function parseSubDeviceRequest(
  eventType: string,
  paras: Record<string, unknown>,
): UplinkParse<SubDeviceRequest> | undefined {
  switch (eventType) {
    case 'add_sub_device_request': {
      const r = addSchema.safeParse(paras);
      if (!r.success) return { ok: false, error: schemaError(r.error, eventType) };
      return {
        ok: true,
        value: {
          kind: 'add',
          devices: r.data.devices.map((d) => ({
            nodeId: d.node_id,
            productId: d.product_id,
            ...(d.name === undefined ? {} : { name: d.name }),
            ...(d.description === undefined ? {} : { description: d.description }),
            ...(d.extension_info === undefined ? {} : { extensionInfo: d.extension_info }),
          })),
        },
      };
    }
    case 'delete_sub_device_request': {
      const r = deleteSchema.safeParse(paras);
      return r.success
        ? { ok: true, value: { kind: 'delete', deviceIds: r.data.devices } }
        : { ok: false, error: schemaError(r.error, eventType) };
    }
    case 'sub_device_update_status': {
      const r = statusSchema.safeParse(paras);
      return r.success
        ? {
            ok: true,
            value: {
              kind: 'status',
              statuses: r.data.device_statuses.map((s) => ({ deviceId: s.device_id, status: s.status })),
            },
          }
        : { ok: false, error: schemaError(r.error, eventType) };
    }
    case 'sub_device_sync_request': {
      const r = syncSchema.safeParse(paras);
      return r.success
        ? { ok: true, value: { kind: 'sync', ...(r.data.version === undefined ? {} : { version: r.data.version }) } }
        : { ok: false, error: schemaError(r.error, eventType) };
    }
    default:
      return undefined;
  }
}

/** A sub-device as the platform describes it to its gateway (add notify, add response). */
export function subDeviceParas(device: Device, gatewayId: string, description?: string) {
  return {
    parent_device_id: gatewayId,
    node_id: device.nodeId,
    device_id: device.deviceId,
    name: device.name ?? null,
    description: description ?? null,
    product_id: device.productId,
    status: device.status.toUpperCase(),
    extension_info: null,
  };
}

export interface FailedDevice {
  node_id?: string;
  product_id?: string;
  device_id?: string;
  error_code: string;
  error_msg: string;
}
