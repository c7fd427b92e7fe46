// The topic ACL on the broker: what a device may subscribe to (a refused filter gets SUBACK 0x80), what it may
// publish (a violation closes the connection; accepted publishes go to the uplink router before the PUBACK), and
// which packets aedes may forward to which subscriber.
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import { classifyPublish, isCustomTopic, maySubscribe, type UplinkKind } from '../../protocols/mqtt/device-topics.js';
import type { MqttAccessContext } from './access-context.js';
import type { DynamicSecretLogins } from './dynamic-secret.js';
import type { Session } from './session-table.js';

export type UplinkHandler = (session: Session, kind: UplinkKind, topic: string, payload: Buffer) => Promise<void>;

export function installAcl(
  aedes: Aedes,
  ctx: MqttAccessContext,
  dynamic: DynamicSecretLogins,
  handleUplink: UplinkHandler,
): void {
  const { sessions, log } = ctx;

  const violation = (client: Client, session: Session | undefined, topic: string, what: string) => {
    ctx.refuse({
      kind: 'acl',
      peer: session?.conn.peer ?? '?',
      clientId: client.id,
      username: session?.deviceId ?? '',
      ...(session ? { deviceId: session.deviceId } : {}),
      reason: `${what} ${topic} is not allowed for this device`,
    });
  };

  aedes.authorizeSubscribe = (client, sub, done) => {
    if (dynamic.owns(client)) return dynamic.authorizeSubscribe(client, sub, done);
    const session = sessions.sessionOf(client);
    if (!session || !maySubscribe(sub.topic, session.scope)) {
      violation(client, session, sub.topic, 'subscribing to');
      // MQTT 3.1.1 §3.9.3: a refused filter gets return code 0x80 in the SUBACK; aedes grants 0x80 for a null
      // subscription. The device keeps its connection and its other filters.
      return done(null, null);
    }
    if (sub.topic.startsWith('/huawei/v1/')) session.dialect = 'legacy';
    done(null, sub);
  };

  aedes.authorizePublish = (client, packet, done) => {
    if (!client) return done(null);
    if (dynamic.owns(client)) return dynamic.authorizePublish(client, packet, done);
    const session = sessions.sessionOf(client);
    const kind = session ? classifyPublish(packet.topic, session.scope) : undefined;
    if (!session || !kind) {
      violation(client, session, packet.topic, 'publishing to');
      setImmediate(() => client.close());
      return done(new Error(`publishing to ${packet.topic} not allowed`));
    }
    sessions
      .whenReady(client)
      .then(() => handleUplink(session, kind, packet.topic, packet.payload as Buffer))
      .then(
        () => done(null),
        (error: unknown) => {
          log.error({ err: error }, `storing an uplink of ${session.deviceId} failed`);
          done(error instanceof Error ? error : new Error(String(error)));
        },
      );
  };

  // Device uplinks are for the platform, not for other subscribers.
  aedes.authorizeForward = (client, packet: AedesPublishPacket) => {
    const session = sessions.sessionOf(client);
    if (!session) return packet;
    // A device's own system uplinks (reports, command responses) are never echoed back to it, even though it is
    // subscribed to sys/commands/# and friends; its custom topics behave like plain MQTT.
    if (classifyPublish(packet.topic, session.scope) && !isCustomTopic(packet.topic)) return null;
    return packet.topic.startsWith('$oc/') || packet.topic.startsWith('/huawei/')
      ? session.scope.ids.some((id) => packet.topic.includes(`/devices/${id}/`))
        ? packet
        : null
      : packet;
  };
}
