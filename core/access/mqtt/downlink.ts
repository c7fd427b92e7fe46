// The MQTT half of the device link: publishes to a device's live session on its dialect's topic, and tells when a
// QoS 1 downlink was acknowledged (delivery-tracker.ts watches the session's packets for that).
import { randomUUID } from 'node:crypto';
import type { PublishPacket } from 'aedes';
import type { MqttDownlink, MqttPublish, MqttPublishResult } from '../../device-link/index.js';
import {
  iotdaCommandTopic,
  iotdaMessageDownTopic,
  legacyCommandTopic,
  maySubscribe,
} from '../../protocols/mqtt/device-topics.js';
import { DeliveryTracker } from './delivery-tracker.js';
import type { Session, SessionTable } from './session-table.js';

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

export function createMqttDownlink(sessions: SessionTable): MqttDownlinkAdapter {
  const trackers = new Map<string, DeliveryTracker>();
  const trackerOf = (connectionId: string) => {
    let tracker = trackers.get(connectionId);
    if (!tracker) trackers.set(connectionId, (tracker = new DeliveryTracker()));
    return tracker;
  };

  return {
    isConnected: (deviceId) => sessions.liveSession(deviceId) !== undefined,
    dialectOf: (deviceId) => sessions.liveSession(deviceId)?.session.dialect,

    async publish(deviceId, message): Promise<MqttPublishResult> {
      const live = sessions.liveSession(deviceId);
      if (!live) return { sent: false, reason: `${deviceId} has no open MQTT session` };
      const { client, session } = live;
      if (message.topic !== undefined && !maySubscribe(message.topic, session.scope))
        return { sent: false, reason: `${message.topic} is not a topic of ${deviceId}` };
      const topic = message.topic ?? defaultTopic(session, message.kind);
      const payload = typeof message.payload === 'string' ? Buffer.from(message.payload) : message.payload;
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
