// The JSON bodies the platform POSTs to callback URLs (§1.11), built from the platform's own events. Pure.
import { randomUUID } from 'node:crypto';

/** A device as a push shows it: the northbound view's ids and deviceInfo (§1.5). */
export interface PushDeviceView {
  deviceId: string;
  gatewayId: string;
  nodeType: string;
  deviceInfo: Record<string, unknown>;
}

export interface PushedService {
  serviceId: string;
  serviceType: string;
  data: Record<string, unknown>;
  /** `yyyyMMdd'T'HHmmss'Z'`. */
  eventTime: string;
}

export interface ProductIdentityView {
  deviceType: string;
  manufacturerId: string;
  manufacturerName: string;
  model: string;
  protocolType: string;
}

/** requestId of data notifications (§1.11: 1–128 characters); receivers dedupe redeliveries with it. */
export const newRequestId = () => randomUUID();

export const deviceAddedBody = (d: PushDeviceView) => ({
  notifyType: 'deviceAdded' as const,
  deviceId: d.deviceId,
  gatewayId: d.gatewayId,
  nodeType: d.nodeType,
  deviceInfo: d.deviceInfo,
});

export const bindDeviceBody = (d: PushDeviceView, resultCode: 'succeeded' | 'expired') => ({
  notifyType: 'bindDevice' as const,
  deviceId: d.deviceId,
  resultCode,
  deviceInfo: d.deviceInfo,
});

export const deviceInfoChangedBody = (d: PushDeviceView) => ({
  notifyType: 'deviceInfoChanged' as const,
  deviceId: d.deviceId,
  gatewayId: d.gatewayId,
  deviceInfo: d.deviceInfo,
});

export const deviceDeletedBody = (deviceId: string, gatewayId: string) => ({
  notifyType: 'deviceDeleted' as const,
  deviceId,
  gatewayId,
});

export const deviceDataChangedBody = (
  requestId: string,
  deviceId: string,
  gatewayId: string,
  service: PushedService,
) => ({
  notifyType: 'deviceDataChanged' as const,
  requestId,
  deviceId,
  gatewayId,
  service,
});

export const deviceDatasChangedBody = (
  requestId: string,
  deviceId: string,
  gatewayId: string,
  services: PushedService[],
) => ({ notifyType: 'deviceDatasChanged' as const, requestId, deviceId, gatewayId, services });

export function messageConfirmBody(input: { deviceId: string; commandId: string; status: string; timestamp: string }) {
  return {
    notifyType: 'messageConfirm' as const,
    header: {
      requestId: input.commandId,
      from: `/devices/${input.deviceId}`,
      to: '/event/v1.1.0/devices/messageConfirm',
      status: input.status,
      timestamp: input.timestamp,
    },
    body: {},
  };
}

export function commandRspBody(input: {
  commandId: string;
  deviceId: string;
  serviceType: string;
  method: string;
  body: Record<string, unknown>;
}) {
  return {
    notifyType: 'commandRsp' as const,
    header: {
      requestId: input.commandId,
      from: `/devices/${input.deviceId}/services/${input.serviceType}`,
      to: '/event/v1.1.0/devices/commandRsp',
      deviceId: input.deviceId,
      serviceType: input.serviceType,
      method: input.method,
    },
    body: input.body,
  };
}

/**
 * A custom device message (IoTDA `sys/messages/up`, a custom topic) as a `deviceEvent`: the platform has no notify
 * type of its own for it; the payload is passed on as text when it is UTF-8, else as base64.
 */
export function deviceMessageBody(input: { deviceId: string; topic: string; payload: Buffer; at: string }) {
  const text = input.payload.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(input.payload);
  return {
    notifyType: 'deviceEvent' as const,
    header: {
      eventType: 'message',
      from: `/devices/${input.deviceId}/services/message`,
      timestamp: input.at,
      eventTime: input.at,
      deviceId: input.deviceId,
      serviceType: 'message',
    },
    body: isText
      ? { topic: input.topic, content: text }
      : { topic: input.topic, contentBase64: input.payload.toString('base64') },
  };
}

export const deviceModelBody = (
  notifyType: 'deviceModelAdded' | 'deviceModelDeleted',
  appId: string,
  p: ProductIdentityView,
) => ({
  notifyType,
  appId,
  deviceType: p.deviceType,
  manufacturerName: p.manufacturerName,
  manufacturerId: p.manufacturerId,
  model: p.model,
  protocolType: p.protocolType,
});

/** The result of sending a device's desired shadow values (§1.11). */
export const desiredStatusChangedBody = (input: {
  deviceId: string;
  serviceId: string;
  properties: Record<string, unknown>;
  status: 'DELIVERED' | 'FAILED';
}) => ({
  notifyType: 'deviceDesiredPropertiesModifyStatusChanged' as const,
  deviceId: input.deviceId,
  serviceId: input.serviceId,
  properties: input.properties,
  status: input.status,
});
/** An upgrade step or result of one device in an upgrade task (core/ota), for the §1.11 upgrade bodies. */
export interface UpgradeNotice {
  kind: 'software' | 'firmware';
  deviceId: string;
  operationId: string;
  subOperationId: string;
  /** A state change: the device is downloading, has downloaded, is installing, or is idle again. */
  state?: 'downloading' | 'downloaded' | 'updating' | 'idle';
  result?: {
    success: boolean;
    curVersion: string;
    targetVersion: string;
    sourceVersion: string;
    /** yyyyMMdd'T'HHmmss'Z' */
    upgradeTime: string;
    /** The sub-task reason, e.g. `DownloadTimeout`. */
    errorCode: string;
    description: string;
  };
}

const FW_STEPS = { idle: 0, downloading: 1, downloaded: 2, updating: 3 } as const;

export function upgradeStateBody(n: UpgradeNotice & { state: NonNullable<UpgradeNotice['state']> }, appId: string) {
  const ids = { deviceId: n.deviceId, appId, operationId: n.operationId, subOperationId: n.subOperationId };
  return n.kind === 'software'
    ? { notifyType: 'swUpgradeStateChangeNotify' as const, ...ids, swUpgradeState: n.state }
    : { notifyType: 'fwUpgradeStateChangeNotify' as const, ...ids, step: String(FW_STEPS[n.state]), stepDesc: n.state };
}

export function upgradeResultBody(n: UpgradeNotice & { result: NonNullable<UpgradeNotice['result']> }, appId: string) {
  const r = n.result;
  const ids = { deviceId: n.deviceId, appId, operationId: n.operationId, subOperationId: n.subOperationId };
  const versions = { curVersion: r.curVersion, targetVersion: r.targetVersion, sourceVersion: r.sourceVersion };
  const outcome = r.success ? 'SUCCESS' : 'FAIL';
  return n.kind === 'software'
    ? {
        notifyType: 'swUpgradeResultNotify' as const,
        ...ids,
        ...versions,
        swUpgradeResult: outcome,
        upgradeTime: r.upgradeTime,
        resultDesc: r.description,
        errorCode: r.success ? '' : r.errorCode,
        description: r.description,
      }
    : {
        notifyType: 'fwUpgradeResultNotify' as const,
        ...ids,
        ...versions,
        status: outcome,
        statusDesc: r.success ? r.description : `${r.errorCode}: ${r.description}`,
        upgradeTime: r.upgradeTime,
      };
}
