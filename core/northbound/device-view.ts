// A registered device as the northbound API shows it (§1.5): deviceInfo, services with latest data, status.
import type { Device, DeviceStatus } from '../contract/devices.js';
import type { ProductModel } from '../contract/product-model.js';
import { formatNorthboundTime } from './northbound-time.js';

export const northboundStatus: Record<DeviceStatus, 'ONLINE' | 'OFFLINE' | 'INACTIVE' | 'ABNORMAL'> = {
  online: 'ONLINE',
  offline: 'OFFLINE',
  inactive: 'INACTIVE',
  abnormal: 'ABNORMAL',
};

export function deviceStatusFrom(status: keyof typeof statusByName | undefined): DeviceStatus | undefined {
  return status === undefined ? undefined : statusByName[status];
}
const statusByName = { ONLINE: 'online', OFFLINE: 'offline', INACTIVE: 'inactive', ABNORMAL: 'abnormal' } as const;

export interface LatestService {
  serviceId: string;
  data: Record<string, unknown>;
  eventTime: string;
}

export function northboundDevice(
  device: Device,
  model: ProductModel | undefined,
  latest: readonly LatestService[],
  extra: Record<string, unknown>,
  alarmInfo: { alarmSeverity: string; alarmStatus: boolean; alarmTime: string } | null = null,
) {
  const { endUser, location, mute, imsi, ...rest } = extra;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    deviceId: device.deviceId,
    // A directly connected device is its own gateway (§1.5); a sub-device names the gateway it reports through.
    gatewayId: device.gatewayId ?? device.deviceId,
    nodeType: device.nodeType ?? 'ENDPOINT',
    createTime: formatNorthboundTime(Date.parse(device.createdAt)),
    lastModifiedTime: formatNorthboundTime(Date.parse(device.updatedAt)),
    deviceInfo: {
      nodeId: device.nodeId,
      name: device.name ?? null,
      description: text(rest.description) ?? null,
      manufacturerId: model?.manufacturerId ?? null,
      manufacturerName: model?.manufacturerName ?? null,
      deviceType: model?.deviceType ?? null,
      model: model?.model ?? null,
      protocolType: device.protocolType,
      location: text(location) ?? null,
      status: northboundStatus[device.status],
      statusDetail: device.status === 'inactive' ? 'NOT_ACTIVE' : 'NONE',
      mute: text(mute) ?? 'FALSE',
      imsi: text(imsi) ?? null,
      endUser: text(endUser) ?? null,
      ...pick(rest, ['region', 'organization', 'timezone', 'ip', 'isSecure', 'customFields', 'tags']),
    },
    services: latest.map((s) => ({
      serviceId: s.serviceId,
      serviceType: model?.services.find((m) => m.serviceId === s.serviceId)?.serviceType ?? s.serviceId,
      serviceInfo: null,
      data: s.data,
      eventTime: formatNorthboundTime(Date.parse(s.eventTime)),
    })),
    alarmInfo,
  };
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}
