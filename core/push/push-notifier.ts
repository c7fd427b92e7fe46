// Turns the platform's events into notifications for the subscribed callback URLs of the application that holds
// the device. Nothing is pushed for an application that does not store history data.
import type { NotifyType } from '../contract/push.js';
import { formatNorthboundTime } from '../northbound/index.js';
import {
  bindDeviceBody,
  upgradeResultBody,
  upgradeStateBody,
  type UpgradeNotice,
  commandRspBody,
  messageConfirmBody,
  deviceAddedBody,
  deviceDataChangedBody,
  deviceDatasChangedBody,
  deviceDeletedBody,
  deviceInfoChangedBody,
  deviceMessageBody,
  deviceModelBody,
  desiredStatusChangedBody,
  newRequestId,
  type ProductIdentityView,
  type PushDeviceView,
  type PushedService,
} from './notification-bodies.js';
import type { PushDelivery } from './push-delivery.js';
import type { PushSubscriptions } from './push-subscriptions.js';

/** What the notifier reads of the platform, given by the composition root. */
export interface PushSources {
  /** The device as pushes show it, with its product; undefined once deleted. */
  device(deviceId: string): { view: PushDeviceView; productId: string } | undefined;
  /** The application that holds the device. */
  ownerOf(deviceId: string): string;
  /** for a device's notifications: whether its application stores history data. */
  storesHistory(deviceId: string): boolean;
  /** for notifications that are not about one device (product models). */
  appStoresHistory(appId: string): boolean;
  appIds(): string[];
  serviceType(productId: string, serviceId: string): string;
}

export interface IngestedReport {
  deviceId: string;
  services: { serviceId: string; properties: Record<string, unknown>; eventTime: number }[];
}

/** Command states that are a `messageConfirm` (§1.11), and its status for each. */
const MESSAGE_CONFIRM_STATUS: Readonly<Record<string, string>> = {
  SENT: 'sent',
  DELIVERED: 'delivered',
  SUCCESSFUL: 'executed',
};

export class PushNotifier {
  /** Owner and gateway of devices being deleted: the application forgets the device before `deleted` arrives. */
  private readonly deleting = new Map<string, { owner: string; gatewayId: string }>();

  constructor(
    private readonly subscriptions: PushSubscriptions,
    private readonly delivery: PushDelivery,
    private readonly sources: PushSources,
  ) {}

  /** Queues one notification for the device's application; the body is built only when someone subscribed. */
  forDevice(deviceId: string, notifyType: NotifyType, build: () => object | undefined, requestId?: string): void {
    const owner = this.sources.ownerOf(deviceId);
    const urls = this.subscriptions.urlsFor(owner, notifyType);
    if (urls.length === 0 || !this.sources.storesHistory(deviceId)) return;
    const body = build();
    if (body === undefined) return;
    for (const url of urls) this.delivery.enqueue({ url, body, notifyType, deviceId, requestId });
  }

  /** A notification every application may subscribe (product models are shared by all applications). */
  forEveryApp(notifyType: NotifyType, build: (appId: string) => object): void {
    for (const appId of this.sources.appIds()) {
      const urls = this.subscriptions.urlsFor(appId, notifyType);
      if (urls.length === 0 || !this.sources.appStoresHistory(appId)) continue;
      const body = build(appId);
      for (const url of urls) this.delivery.enqueue({ url, body, notifyType });
    }
  }

  deviceAdded(deviceId: string): void {
    this.forDevice(deviceId, 'deviceAdded', () => {
      const d = this.sources.device(deviceId);
      return d && deviceAddedBody(d.view);
    });
  }

  /** A verify-code device connected for the first time (`succeeded`) or was not in time (`expired`). */
  bindDevice(deviceId: string, resultCode: 'succeeded' | 'expired'): void {
    this.forDevice(deviceId, 'bindDevice', () => {
      const d = this.sources.device(deviceId);
      return d && bindDeviceBody(d.view, resultCode);
    });
  }

  /** A command to an MQTT device was sent, delivered (PUBACK) or executed (its answer came). */
  messageConfirm(event: { deviceId: string; commandId: string; status: string; at: number }): void {
    const status = MESSAGE_CONFIRM_STATUS[event.status];
    if (status === undefined) return;
    this.forDevice(
      event.deviceId,
      'messageConfirm',
      () => {
        const d = this.sources.device(event.deviceId);
        if (d?.view.deviceInfo.protocolType !== 'MQTT') return undefined;
        return messageConfirmBody({ ...event, status, timestamp: formatNorthboundTime(event.at) });
      },
      `${event.commandId}:${status}`,
    );
  }

  deviceInfoChanged(deviceId: string): void {
    this.forDevice(deviceId, 'deviceInfoChanged', () => {
      const d = this.sources.device(deviceId);
      return d && deviceInfoChangedBody(d.view);
    });
  }

  /** Called before the device row goes: remembers who held it. */
  deviceDeleting(deviceId: string): void {
    const d = this.sources.device(deviceId);
    this.deleting.set(deviceId, { owner: this.sources.ownerOf(deviceId), gatewayId: d?.view.gatewayId ?? deviceId });
  }

  deviceDeleted(deviceId: string): void {
    const known = this.deleting.get(deviceId);
    this.deleting.delete(deviceId);
    const owner = known?.owner ?? this.sources.ownerOf(deviceId);
    const urls = this.subscriptions.urlsFor(owner, 'deviceDeleted');
    if (urls.length === 0 || !this.sources.appStoresHistory(owner)) return;
    const body = deviceDeletedBody(deviceId, known?.gatewayId ?? deviceId);
    for (const url of urls) this.delivery.enqueue({ url, body, notifyType: 'deviceDeleted', deviceId });
  }

  /**
   * Stored data: one service of a directly connected device is `deviceDataChanged`; several services at once, or a
   * sub-device's report through its gateway, is `deviceDatasChanged`. A URL that subscribed only the single form
   * gets one `deviceDataChanged` per service of a batch, so no subscriber misses data.
   */
  dataIngested(report: IngestedReport): void {
    const { deviceId } = report;
    const owner = this.sources.ownerOf(deviceId);
    const single = this.subscriptions.urlsFor(owner, 'deviceDataChanged');
    const batch = this.subscriptions.urlsFor(owner, 'deviceDatasChanged');
    if ((single.length === 0 && batch.length === 0) || !this.sources.storesHistory(deviceId)) return;
    const device = this.sources.device(deviceId);
    if (!device) return;
    const gatewayId = device.view.gatewayId;
    const services: PushedService[] = report.services.map((s) => ({
      serviceId: s.serviceId,
      serviceType: this.sources.serviceType(device.productId, s.serviceId),
      data: s.properties,
      eventTime: formatNorthboundTime(s.eventTime),
    }));
    const isBatch = services.length > 1 || gatewayId !== deviceId;
    if (isBatch && batch.length > 0) {
      const requestId = newRequestId();
      const body = deviceDatasChangedBody(requestId, deviceId, gatewayId, services);
      for (const url of batch)
        this.delivery.enqueue({ url, body, notifyType: 'deviceDatasChanged', deviceId, requestId });
    }
    const singleUrls = isBatch ? single.filter((u) => !batch.includes(u)) : single;
    for (const service of singleUrls.length > 0 ? services : []) {
      const requestId = newRequestId();
      const body = deviceDataChangedBody(requestId, deviceId, gatewayId, service);
      for (const url of singleUrls)
        this.delivery.enqueue({ url, body, notifyType: 'deviceDataChanged', deviceId, requestId });
    }
  }

  /** A device's answer to a command (MQTT devices, §1.10). */
  commandResponse(response: {
    deviceId: string;
    commandId: string;
    responseName?: string | undefined;
    resultCode: number;
    body: Record<string, unknown>;
  }): void {
    this.forDevice(
      response.deviceId,
      'commandRsp',
      () => {
        const d = this.sources.device(response.deviceId);
        const serviceType = typeof response.body.serviceId === 'string' ? response.body.serviceId : 'Command';
        return commandRspBody({
          commandId: response.commandId,
          deviceId: response.deviceId,
          serviceType: d ? this.sources.serviceType(d.productId, serviceType) : serviceType,
          method: response.responseName ?? 'RSP',
          body: { resultCode: response.resultCode, ...response.body },
        });
      },
      response.commandId,
    );
  }

  /** A custom device message: forwarded as it came, never stored. */
  deviceMessage(message: { deviceId: string; topic: string; payload: Buffer; at: number }): void {
    this.forDevice(message.deviceId, 'deviceEvent', () =>
      deviceMessageBody({ ...message, at: formatNorthboundTime(message.at) }),
    );
  }

  /** Desired shadow values reached the device (DELIVERED) or could not (FAILED). */
  desiredStatusChanged(result: {
    deviceId: string;
    serviceId: string;
    properties: Record<string, unknown>;
    status: 'DELIVERED' | 'FAILED';
  }): void {
    this.forDevice(result.deviceId, 'deviceDesiredPropertiesModifyStatusChanged', () =>
      desiredStatusChangedBody(result),
    );
  }

  productChanged(kind: 'added' | 'deleted', product: ProductIdentityView): void {
    const notifyType = kind === 'added' ? 'deviceModelAdded' : 'deviceModelDeleted';
    this.forEveryApp(notifyType, (appId) => deviceModelBody(notifyType, appId, product));
  }

  /** An upgrade task's device changed step or ended (§1.11 sw/fw upgrade bodies, management notifications). */
  upgrade(notice: UpgradeNotice): void {
    const appId = this.sources.ownerOf(notice.deviceId);
    const { state, result } = notice;
    if (state) {
      const notifyType = notice.kind === 'software' ? 'swUpgradeStateChangeNotify' : 'fwUpgradeStateChangeNotify';
      this.forDevice(notice.deviceId, notifyType, () => upgradeStateBody({ ...notice, state }, appId));
    }
    if (result) {
      const notifyType = notice.kind === 'software' ? 'swUpgradeResultNotify' : 'fwUpgradeResultNotify';
      this.forDevice(notice.deviceId, notifyType, () => upgradeResultBody({ ...notice, result }, appId));
    }
  }
}
