// The MQTT half of the device link: publishes to a device's live session on its dialect's topic, and tells when a
// QoS 1 downlink was acknowledged (delivery-tracker.ts watches the session's packets for that). A sub-device
// without a session of its own is reached through its gateway's IoTDA session (gateway-downlink.ts).
import { randomUUID } from 'node:crypto';
import type { PublishPacket } from 'aedes';
import type { MqttDownlink, MqttPublish, MqttPublishResult } from '../../device-link/index.js';
import {
  iotdaCommandTopic,
  iotdaMessageDownTopic,
  legacyCommandTopic,
  maySubscribe,
} from '../../protocols/mqtt/device-topics.js';
import { gatewayDownlink } from '../../protocols/mqtt/gateway-downlink.js';
import { DeliveryTracker } from './delivery-tracker.js';
import type { LiveSession, Session, SessionTable } from './session-table.js';
import type { SubDeviceRouting } from './sub-device-routing.js';

export interface MqttDownlinkAdapter extends MqttDownlink {
  /** Every whole packet of a connection, in (from the device) and out (to it). */
  observe(connectionId: string, direction: 'in' | 'out', packet: Buffer): void;
  connectionClosed(connectionId: string): void;
}

/** Without a topic: legacy devices have one command topic for all; IoTDA ones a message and a command topic. */
function defaultTopic(session: Session, kind: MqttPublish['kind']): string {
  if (session.dialect === 'legacy') return legacyCommandTopic(session.deviceId);
  return kind === 'message'
    ? iotdaMessageDownTopic(session.deviceId)
    : iotdaCommandTopic(session.deviceId, randomUUID());
}

export interface GatewayRoutes {
  /** The gateway a device is a sub-device of, if any. */
  gatewayOf(deviceId: string): string | undefined;
  readonly routing: SubDeviceRouting;
}

export function createMqttDownlink(sessions: SessionTable, gateways?: GatewayRoutes): MqttDownlinkAdapter {
  /** A sub-device with no session of its own is reachable while its gateway has an IoTDA session. */
  const viaGateway = (deviceId: string): { gatewayId: string; live: LiveSession } | undefined => {
    const gatewayId = gateways?.gatewayOf(deviceId);
    const live = gatewayId === undefined ? undefined : sessions.liveSession(gatewayId);
    return gatewayId !== undefined && live?.session.dialect === 'iotda' ? { gatewayId, live } : undefined;
  };
  const route = (deviceId: string) => {
    const live = sessions.liveSession(deviceId);
    return live ? { live } : viaGateway(deviceId);
  };
  const trackers = new Map<string, DeliveryTracker>();
  const trackerOf = (connectionId: string) => {
    let tracker = trackers.get(connectionId);
    if (!tracker) trackers.set(connectionId, (tracker = new DeliveryTracker()));
    return tracker;
  };

  return {
    isConnected: (deviceId) => route(deviceId) !== undefined,
    dialectOf: (deviceId) => route(deviceId)?.live.session.dialect,

    async publish(deviceId, message): Promise<MqttPublishResult> {
      const routed = route(deviceId);
      if (!routed) return { sent: false, reason: `${deviceId} has no open MQTT session (nor a connected gateway)` };
      const { client, session } = routed.live;
      let payload = typeof message.payload === 'string' ? Buffer.from(message.payload) : message.payload;
      let topic: string;
      if ('gatewayId' in routed) {
        // Callers name the sub-device's own topic (or none): the gateway's session carries it in gateway form.
        const own = message.topic ?? defaultTopic({ ...session, deviceId }, message.kind);
        const carried = gatewayDownlink(deviceId, routed.gatewayId, own, payload);
        if (!carried) return { sent: false, reason: `${own} is not a topic of ${deviceId}` };
        ({ topic, payload } = carried);
        if (carried.requestId !== undefined) gateways?.routing.remember(routed.gatewayId, carried.requestId, deviceId);
      } else {
        if (message.topic !== undefined && !maySubscribe(message.topic, session.scope))
          return { sent: false, reason: `${message.topic} is not a topic of ${deviceId}` };
        topic = message.topic ?? defaultTopic(session, message.kind);
      }
      const qos = message.qos ?? 1;
      // Registered before the publish: aedes writes the packet on a later tick, and the tracker must be waiting then.
      const acknowledged = qos === 1 ? trackerOf(session.conn.connectionId).expect(topic, payload) : undefined;
      const packet: PublishPacket = { cmd: 'publish', topic, payload, qos, dup: false, retain: false };
      // To the session itself, as the platform does: IoTDA SDKs never subscribe to their system topics.
      const error = await new Promise<Error | undefined>((resolve) =>
        client.publish(packet, (e) => resolve(e ?? undefined)),
      );
      if (error) return { sent: false, reason: `publishing to ${deviceId} failed: ${error.message}` };
      return { sent: true, topic, delivered: acknowledged ?? Promise.resolve(!client.closed) };
    },

    observe(connectionId, direction, packet) {
      const tracker = trackers.get(connectionId);
      if (!tracker) return;
      if (direction === 'out') tracker.sent(packet);
      else tracker.received(packet);
    },

    connectionClosed(connectionId) {
      trackers.get(connectionId)?.end();
      trackers.delete(connectionId);
    },
  };
}
