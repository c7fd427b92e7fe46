// One-model-one-secret MQTT login (legacy §2.1/§2.2, authType 1): a device that knows only its product's secret logs
// in as `{productId}_{nodeId}_1_{signType}_{YYYYMMDDHH}` (username = productId), subscribes to its secretNotify topic,
// receives its own deviceId and secret there, acknowledges on secretACK and reconnects with authType 0.
// The nodeId must be registered under the product first, as on the platform: the pushed secret is the device's own.
import type { Aedes, Client, PublishPacket, Subscription } from 'aedes';
import type { Clock, TimerHandle } from '../../clock.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { Logger } from '../../log/logger.js';
import { passwordMatches, timestampFresh } from '../../protocols/mqtt/device-credentials.js';
import {
  parseDynamicClientId,
  secretAckTopic,
  secretNotifyPayload,
  secretNotifyTopic,
} from '../../protocols/mqtt/dynamic-credentials.js';
import type { RefusalInput } from './refusal-log.js';

/** Where product secrets come from (the products capability). */
export interface ProductSecretSource {
  /** Undefined for an unknown product. */
  secret(productId: string): string | undefined;
  onReset(listener: (productId: string) => void): () => void;
}

export interface DynamicSecretDeps {
  broker: Aedes;
  devices: () => Pick<DeviceRegistry, 'get' | 'secret'>;
  productSecrets: ProductSecretSource | undefined;
  clock: Clock;
  log: Logger;
  /** Records a refusal the way the other MQTT refusals are recorded. */
  refuse: (refusal: RefusalInput) => void;
}

/** An authType 1 session exists to fetch one secret: one that has not acknowledged it by then is closed. */
export const DYNAMIC_SESSION_LIMIT_MS = 60_000;

export type DynamicLogin = { ok: true; deviceId: string } | { ok: false; reason: string; deviceId?: string };

interface DynamicSession {
  productId: string;
  nodeId: string;
  deviceId: string;
  peer: string;
  notifyTopic: string;
  ackTopic: string;
}

/** The authType 1 sessions of one broker: login, their two-topic ACL, the secret push and the close on ACK. */
export class DynamicSecretLogins {
  private readonly sessions = new WeakMap<Client, DynamicSession>();
  private readonly open = new Map<Client, TimerHandle>();
  private readonly unfollowReset: (() => void) | undefined;

  constructor(private readonly deps: DynamicSecretDeps) {
    const { broker } = deps;
    broker.on('clientReady', (client) => {
      const session = this.sessions.get(client);
      if (!session) return;
      this.open.set(
        client,
        deps.clock.setTimeout(() => {
          deps.refuse({
            kind: 'auth',
            peer: session.peer,
            clientId: client.id,
            username: session.productId,
            deviceId: session.deviceId,
            reason: `the authType 1 session did not acknowledge its secret within ${DYNAMIC_SESSION_LIMIT_MS / 1000} s; closed`,
          });
          client.close();
        }, DYNAMIC_SESSION_LIMIT_MS),
      );
      // A persistent session (clean = false) may come back already subscribed and never subscribe again.
      const restored = (client as Client & { subscriptions?: Record<string, unknown> }).subscriptions;
      if (restored?.[session.notifyTopic]) this.pushSecret(client, session);
    });
    broker.on('subscribe', (subscriptions, client) => {
      const session = this.sessions.get(client);
      // Only after the subscription is in place: a push before it would reach nobody (LiteOS subscribes after CONNACK).
      if (session && subscriptions.some((s) => s.topic === session.notifyTopic)) this.pushSecret(client, session);
    });
    broker.on('publish', (packet, client) => {
      const session = client && this.sessions.get(client);
      if (!session || packet.topic !== session.ackTopic) return;
      // 'publish' fires after a QoS 1 PUBACK went out, so the device sees its ACK acknowledged before the close.
      deps.log.info(`${session.deviceId} acknowledged its secret (authType 1); closing the session`);
      setImmediate(() => client.close());
    });
    broker.on('clientDisconnect', (client) => {
      this.open.get(client)?.cancel();
      this.open.delete(client);
    });
    this.unfollowReset = deps.productSecrets?.onReset((productId) => {
      for (const client of [...this.open.keys()]) {
        if (this.sessions.get(client)?.productId !== productId) continue;
        deps.log.info(`closing the authType 1 session ${client.id}: its product secret was reset`);
        client.close();
      }
    });
  }

  owns(client: Client): boolean {
    return this.sessions.has(client);
  }

  /** Undefined when the clientId is not authType 1; otherwise the verdict, the session kept when it is ok. */
  login(client: Client, username: string, password: Buffer | undefined, peer: string): DynamicLogin | undefined {
    const parsed = parseDynamicClientId(client.id ?? '');
    if (!parsed) return undefined;
    if (!parsed.ok) return parsed;
    const { productId, nodeId, signType, timestamp } = parsed.value;
    if (username !== productId)
      return { ok: false, reason: `username ${username} is not the productId ${productId} of the authType 1 clientId` };
    let productSecret: string | undefined;
    try {
      productSecret = this.deps.productSecrets?.secret(productId);
    } catch (error) {
      // A sealed secret that does not open (another key file) must refuse the login, not break the broker.
      this.deps.log.error({ err: error }, `the product secret of ${productId} cannot be opened`);
      return { ok: false, reason: `the product secret of ${productId} cannot be opened with this key` };
    }
    if (productSecret === undefined) return { ok: false, reason: `no product has the id ${productId}` };
    const deviceId = `${productId}_${nodeId}`;
    const device = this.deps.devices().get(deviceId);
    if (!device)
      return {
        ok: false,
        reason: `nodeId ${nodeId} is not registered under product ${productId}; register the device first, then it can fetch its secret`,
      };
    if (device.protocolType !== 'MQTT')
      return { ok: false, reason: `authType 1 is for MQTT devices; ${deviceId} is ${device.protocolType}`, deviceId };
    if (signType === 1 && !timestampFresh(timestamp, this.deps.clock.now()))
      return { ok: false, reason: `timestamp ${timestamp} is not within an hour of the platform clock`, deviceId };
    if (!passwordMatches(password, productSecret, timestamp))
      return { ok: false, reason: 'wrong password for the product secret (authType 1)', deviceId };
    this.sessions.set(client, {
      productId,
      nodeId,
      deviceId,
      peer,
      notifyTopic: secretNotifyTopic(productId, nodeId),
      ackTopic: secretAckTopic(productId, nodeId),
    });
    return { ok: true, deviceId };
  }

  /** An authType 1 session may subscribe to its own secretNotify topic only. */
  authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const session = this.sessions.get(client);
    if (session && subscription.topic === session.notifyTopic) return done(null, subscription);
    this.violation(client, session, `subscribing to ${subscription.topic}`);
    // SUBACK 0x80 for the refused filter (MQTT 3.1.1 §3.9.3), as for any device; the session's time limit still runs.
    done(null, null);
  }

  /** An authType 1 session may publish to its own secretACK topic only. */
  authorizePublish(client: Client, packet: PublishPacket, done: (error?: Error | null) => void): void {
    const session = this.sessions.get(client);
    if (session && packet.topic === session.ackTopic) return done(null);
    const error = this.violation(client, session, `publishing to ${packet.topic}`);
    setImmediate(() => client.close());
    done(error);
  }

  stop(): void {
    this.unfollowReset?.();
    for (const timer of this.open.values()) timer.cancel();
  }

  private violation(client: Client, session: DynamicSession | undefined, what: string): Error {
    const reason = `${what} is not allowed in an authType 1 session, which may only subscribe to its secretNotify and publish to its secretACK topic`;
    this.deps.refuse({
      kind: 'acl',
      peer: session?.peer ?? '?',
      clientId: client.id,
      username: session?.productId ?? '',
      ...(session ? { deviceId: session.deviceId } : {}),
      reason,
    });
    return new Error(reason);
  }

  private pushSecret(client: Client, session: DynamicSession): void {
    const secret = this.deps.devices().secret(session.deviceId);
    if (secret === undefined) {
      this.deps.log.info(`${session.deviceId} was deleted before its authType 1 session got its secret; closing`);
      client.close();
      return;
    }
    const packet: PublishPacket = {
      cmd: 'publish',
      topic: session.notifyTopic,
      payload: Buffer.from(secretNotifyPayload(session.deviceId, secret)),
      qos: 1,
      dup: false,
      retain: false,
    };
    this.deps.broker.publish(packet, (error) => {
      if (error) this.deps.log.warn(`pushing the secret of ${session.deviceId} failed: ${error.message}`);
      else this.deps.log.info(`pushed the secret of ${session.deviceId} on ${session.notifyTopic} (authType 1)`);
    });
  }
}
