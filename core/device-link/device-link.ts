// The downlink port: how capabilities (commands, shadow, config, OTA, messages) reach a device without importing a
// protocol adapter. The adapters implement the MQTT and LwM2M halves and report presence and device responses here.
import type { Lwm2mServer } from './lwm2m-link.js';

export type DeviceProtocol = 'mqtt' | 'lwm2m';
export type MqttDialect = 'legacy' | 'iotda';

/**
 * `online`: an MQTT session opened or an LwM2M client registered; `reported`: any accepted uplink (a cached
 * downlink may follow it); `reregistered`: an LwM2M client registered again (its observations are gone);
 * `offline`: the session closed, the client deregistered or its lifetime ran out.
 */
export type PresenceKind = 'online' | 'reported' | 'reregistered' | 'offline';

export interface PresenceEvent {
  at: number;
  deviceId: string;
  protocol: DeviceProtocol;
  kind: PresenceKind;
}

/** A device's answer to a command: matched by `mid` (codec / legacy JSON) or by IoTDA request id. */
export interface DeviceResponse {
  at: number;
  deviceId: string;
  protocol: DeviceProtocol;
  commandId: string;
  resultCode: number;
  responseName?: string;
  body: Record<string, unknown>;
}

/** A custom device message (IoTDA `sys/messages/up`, a product's custom topic): passed on as sent, never stored. */
export interface DeviceMessage {
  at: number;
  deviceId: string;
  protocol: DeviceProtocol;
  topic: string;
  payload: Buffer;
}

/** A device asking the platform for something it answers (IoTDA `sys/shadow/get`): answered with a downlink. */
export interface DeviceRequest {
  at: number;
  deviceId: string;
  protocol: DeviceProtocol;
  kind: 'shadowGet';
  /** The request id of the topic; the answer goes back with it. */
  requestId: string;
  /** Only this service; every service when absent. */
  serviceId?: string;
}

/** A valid PCP frame a device sent on /19/0/0: for the upgrade work, never for the business codec. */
export interface DevicePcpFrame {
  at: number;
  deviceId: string;
  bytes: Uint8Array;
}

/**
 * An IoTDA device event (`sys/events/up`, §3.2/§3.3). `deviceId` is the device it is about: a sub-device when a
 * gateway names one in `object_device_id`, else the sender; `gatewayId` is set when a gateway sent it.
 */
export interface DeviceEvent {
  at: number;
  deviceId: string;
  gatewayId?: string;
  protocol: DeviceProtocol;
  serviceId: string;
  eventType: string;
  eventTime?: string;
  eventId?: string;
  paras: Record<string, unknown>;
}

export interface MqttPublish {
  payload: Buffer | string;
  /** Without a topic: the dialect's command topic (`kind: 'command'`) or message topic (`kind: 'message'`). */
  topic?: string;
  qos?: 0 | 1;
  kind?: 'command' | 'message';
}

export type MqttPublishResult =
  | { sent: false; reason: string }
  | {
      sent: true;
      topic: string;
      /** QoS 1: resolves true on the device's PUBACK, false if its session closed first. QoS 0: true once written. */
      delivered: Promise<boolean>;
    };

export interface MqttDownlink {
  isConnected(deviceId: string): boolean;
  /** The dialect the device's session speaks (legacy `/huawei/v1/…` or IoTDA `$oc/…`), while connected. */
  dialectOf(deviceId: string): MqttDialect | undefined;
  publish(deviceId: string, message: MqttPublish): Promise<MqttPublishResult>;
}

export interface DeviceLink {
  readonly mqtt: MqttDownlink;
  readonly lwm2m: Lwm2mServer;
  /** How the device can be reached right now: an open MQTT session or a live LwM2M registration. */
  reachableBy(deviceId: string): DeviceProtocol | undefined;
  onPresence(listener: (event: PresenceEvent) => void): () => void;
  onResponse(listener: (response: DeviceResponse) => void): () => void;
  /** Custom device messages: where a push capability (rules, northbound forwarding) subscribes. */
  onMessage(listener: (message: DeviceMessage) => void): () => void;
  /** Device requests the platform answers (the shadow answers `shadowGet`). */
  onRequest(listener: (request: DeviceRequest) => void): () => void;
  onPcp(listener: (frame: DevicePcpFrame) => void): () => void;
  /** Device events (`$ota`, `$sub_device_manager`, …), each capability filtering its service. */
  onEvent(listener: (event: DeviceEvent) => void): () => void;
}

/** What the adapters call: they say when a device comes and goes and hand on every response and message it sends. */
export interface DeviceLinkReports {
  presence(event: PresenceEvent): void;
  response(response: DeviceResponse): void;
  message(message: DeviceMessage): void;
  request(request: DeviceRequest): void;
  /** Optional so that adapters' test harnesses need not implement what they never report. */
  pcp?(frame: DevicePcpFrame): void;
  event(event: DeviceEvent): void;
}

/**
 * The port and its report side as one object: the composition root creates it first, gives `reports` to the
 * adapters and `link` (once `attach` has the adapters' halves) to the capabilities that send downlinks.
 */
export interface DeviceLinkHub {
  readonly reports: DeviceLinkReports;
  readonly link: DeviceLink;
  attach(halves: { mqtt: MqttDownlink; lwm2m: Lwm2mServer }): void;
}

export function createDeviceLinkHub(onListenerError: (error: unknown) => void): DeviceLinkHub {
  const presenceListeners = new Set<(event: PresenceEvent) => void>();
  const responseListeners = new Set<(response: DeviceResponse) => void>();
  const messageListeners = new Set<(message: DeviceMessage) => void>();
  const requestListeners = new Set<(request: DeviceRequest) => void>();
  const pcpListeners = new Set<(frame: DevicePcpFrame) => void>();
  const eventListeners = new Set<(event: DeviceEvent) => void>();
  let halves: { mqtt: MqttDownlink; lwm2m: Lwm2mServer } | undefined;
  const attached = () => {
    if (!halves) throw new Error('the device link has no adapters attached');
    return halves;
  };
  const deliver = <T>(listeners: Set<(value: T) => void>, value: T) => {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (error) {
        onListenerError(error);
      }
    }
  };
  return {
    reports: {
      presence: (event) => deliver(presenceListeners, event),
      response: (response) => deliver(responseListeners, response),
      message: (message) => deliver(messageListeners, message),
      request: (request) => deliver(requestListeners, request),
      pcp: (frame) => deliver(pcpListeners, frame),
      event: (event) => deliver(eventListeners, event),
    },
    link: {
      get mqtt() {
        return attached().mqtt;
      },
      get lwm2m() {
        return attached().lwm2m;
      },
      reachableBy(deviceId) {
        const { mqtt, lwm2m } = attached();
        if (mqtt.isConnected(deviceId)) return 'mqtt';
        return lwm2m.registration(deviceId) ? 'lwm2m' : undefined;
      },
      onPresence(listener) {
        presenceListeners.add(listener);
        return () => void presenceListeners.delete(listener);
      },
      onResponse(listener) {
        responseListeners.add(listener);
        return () => void responseListeners.delete(listener);
      },
      onMessage(listener) {
        messageListeners.add(listener);
        return () => void messageListeners.delete(listener);
      },
      onRequest(listener) {
        requestListeners.add(listener);
        return () => void requestListeners.delete(listener);
      },
      onPcp(listener) {
        pcpListeners.add(listener);
        return () => void pcpListeners.delete(listener);
      },
      onEvent(listener) {
        eventListeners.add(listener);
        return () => void eventListeners.delete(listener);
      },
    },
    attach(adapterHalves) {
      halves = adapterHalves;
    },
  };
}
