// MQTT device access: aedes on the platform's MQTT port, device login, topic ACL, uplink ingestion, downlink plumbing.
import { randomUUID } from 'node:crypto';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket } from 'aedes';
import type { Duplex } from 'node:stream';
import { HttpError } from '../../api/http-error.js';
import type { Capability } from '../../capability.js';
import type { DecodeResult } from '../../contract/codecs.js';
import { deviceRoutes } from '../../contract/devices.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { DataStore, ServiceReport } from '../../data/data-store.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DeviceStatusEngine } from '../../devices/device-status.js';
import type { Logger } from '../../log/logger.js';
import { parseClientId, passwordMatches, timestampFresh } from './device-credentials.js';
import {
  classifyPublish,
  iotdaDownTopics,
  legacyCommandTopic,
  maySubscribe,
  type DeviceTopicScope,
  type UplinkKind,
} from './device-topics.js';
import { tapConnection, type TappedConnection } from './frame-tap.js';
import { LoginBackoff } from './login-backoff.js';
import { RefusalLog, mqttAccessMigrations, type RefusalInput } from './refusal-log.js';
import { parseGatewayReport, parseLegacyJson, parsePropertiesReport, type UplinkError } from './uplink-payloads.js';

/** Decodes binary uplinks with the product's codec (the codecs capability's decodeUplink). */
export type UplinkDecoder = (productId: string, bytes: Uint8Array, topic: string) => Promise<DecodeResult>;

export interface MqttAccessDeps {
  devices: () => DeviceRegistry;
  status: () => DeviceStatusEngine;
  data: () => DataStore;
  productModel: (productId: string) => ProductModel | undefined;
  decodeUplink?: UplinkDecoder;
  /** Largest MQTT packet a device may send; bigger ones close the connection (default 1 MiB, the platform's limit). */
  maxPacketBytes?: number;
}

export type Dialect = 'legacy' | 'iotda';

interface Session {
  deviceId: string;
  productId: string;
  model: ProductModel | undefined;
  scope: DeviceTopicScope;
  dialect: Dialect;
  conn: TappedConnection;
  ready: boolean;
}

/** A custom message (`sys/messages/up` or a custom topic): passed on, never parsed or stored. */
export interface DeviceMessage {
  deviceId: string;
  topic: string;
  payload: Buffer;
}

export interface MqttAccessCapability extends Capability {
  /** Publishes to a connected device; without a topic, on its dialect's command topic. */
  publishToDevice(
    deviceId: string,
    message: { payload: Buffer | string; topic?: string; qos?: 0 | 1; kind?: 'command' | 'message' },
  ): Promise<{ sent: boolean; topic?: string }>;
  dialectOf(deviceId: string): Dialect | undefined;
  onDeviceMessage(listener: (message: DeviceMessage) => void): () => void;
}

const DEFAULT_MAX_PACKET = 1024 * 1024;

class AuthRefused extends Error {
  readonly returnCode = 5;
}

export function createMqttAccessCapability(deps: MqttAccessDeps): MqttAccessCapability {
  let broker: Aedes | undefined;
  const sessions = new WeakMap<Client, Session>();
  const byDevice = new Map<string, Set<Client>>();
  const connections = new Map<Duplex, TappedConnection>();
  const connectionDevice = new Map<string, string>();
  const messageListeners = new Set<(m: DeviceMessage) => void>();
  let unsubscribeRegistry: (() => void) | undefined;

  const clientsOf = (deviceId: string) => [...(byDevice.get(deviceId) ?? [])].filter((c) => !c.closed);

  const capability: MqttAccessCapability = {
    name: 'mqtt-access',
    migrations: mqttAccessMigrations,

    dialectOf(deviceId) {
      const c = clientsOf(deviceId)[0];
      return c ? sessions.get(c)?.dialect : undefined;
    },

    onDeviceMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },

    async publishToDevice(deviceId, message) {
      const client = clientsOf(deviceId)[0];
      const session = client ? sessions.get(client) : undefined;
      if (!broker || !session) return { sent: false };
      const topic =
        message.topic ??
        (session.dialect === 'legacy'
          ? legacyCommandTopic(deviceId)
          : message.kind === 'message'
            ? `$oc/devices/${deviceId}/sys/messages/down`
            : `$oc/devices/${deviceId}/sys/commands/request_id=${randomUUID()}`);
      if (message.topic !== undefined && !maySubscribe(message.topic, session.scope)) {
        throw new HttpError(400, 'TOPIC_NOT_DEVICE', `${message.topic} is not a topic of ${deviceId}`, 'body.topic');
      }
      const packet: PublishPacket = {
        cmd: 'publish',
        topic,
        payload: typeof message.payload === 'string' ? Buffer.from(message.payload) : message.payload,
        qos: message.qos ?? 1,
        dup: false,
        retain: false,
      };
      const b = broker;
      await new Promise<void>((resolve, reject) => b.publish(packet, (e) => (e ? reject(e) : resolve())));
      return { sent: true, topic };
    },

    async start({ db, clock, bus, logger, ports, routes }) {
      const log: Logger = logger;
      const refusals = new RefusalLog(db, clock);
      const backoff = new LoginBackoff(() => clock.now());
      const maxPacketBytes = deps.maxPacketBytes ?? DEFAULT_MAX_PACKET;
      routes.add(deviceRoutes.sendDeviceMessage, async ({ params, body }) => {
        deps.devices().require(params.id);
        if (body.encoding === 'hex' && !/^([0-9a-fA-F]{2})*$/.test(body.payload))
          throw new HttpError(400, 'BAD_HEX', 'payload is not an even count of hex digits', 'body.payload');
        const payload = Buffer.from(body.payload, body.encoding === 'hex' ? 'hex' : 'utf8');
        return capability.publishToDevice(params.id, {
          payload,
          kind: body.kind,
          ...(body.topic ? { topic: body.topic } : {}),
        });
      });
      routes.add(deviceRoutes.listMqttRefusals, ({ query }) => ({ items: refusals.list(query.limit) }));

      const refuse = (r: RefusalInput) => {
        refusals.record(r);
        log.info(`mqtt ${r.kind} refused for ${r.clientId || '?'} from ${r.peer}: ${r.reason}`);
      };

      const aedes = await Aedes.createBroker({ maxClientsIdLength: 256, connectTimeout: 30_000 });
      broker = aedes;

      aedes.authenticate = (client, username, password, done) => {
        const conn = connections.get(client.conn);
        const peer = conn?.peer ?? '?';
        const clientId = client.id ?? '';
        const user = username ?? '';
        const fail = (kind: 'auth' | 'backoff', reason: string, deviceId?: string) => {
          refuse({ kind, peer, clientId, username: user, reason, ...(deviceId ? { deviceId } : {}) });
          if (kind === 'auth') backoff.failed(conn?.peerAddress ?? peer);
          done(new AuthRefused(reason), null);
        };
        const wait = backoff.blockedFor(conn?.peerAddress ?? peer);
        if (wait > 0)
          return fail('backoff', `too many failed logins from this address; retry in ${Math.ceil(wait / 1000)} s`);
        const parsed = parseClientId(clientId);
        if (!parsed.ok) return fail('auth', parsed.reason);
        const { id, authType, signType, timestamp } = parsed.value;
        const registry = deps.devices();
        let device = authType === 0 ? registry.get(id) : undefined;
        if (authType === 2) {
          const found = registry.findByNodeId(id);
          if (found.length > 1)
            return fail('auth', `nodeId ${id} is registered for several products; log in by deviceId`);
          device = found[0];
        }
        if (!device) return fail('auth', `no device is registered as ${id}`);
        if (user !== id && user !== device.deviceId)
          return fail('auth', `username ${user} does not match the clientId's id ${id}`, device.deviceId);
        if (signType === 1 && !timestampFresh(timestamp, clock.now()))
          return fail('auth', `timestamp ${timestamp} is not within an hour of the platform clock`, device.deviceId);
        const secret = registry.secret(device.deviceId);
        if (secret === undefined || !passwordMatches(password, secret, timestamp))
          return fail('auth', 'wrong password', device.deviceId);
        if (!conn) return fail('auth', 'connection is not tracked');
        backoff.succeeded(conn.peerAddress);
        const model = deps.productModel(device.productId);
        sessions.set(client, {
          deviceId: device.deviceId,
          productId: device.productId,
          model,
          scope: {
            ids: authType === 2 ? [device.deviceId, id] : [device.deviceId],
            customTopics: model?.customTopics ?? [],
          },
          dialect: 'iotda',
          conn,
          ready: false,
        });
        connectionDevice.set(conn.connectionId, device.deviceId);
        done(null, true);
      };

      aedes.on('clientReady', (client) => {
        const session = sessions.get(client);
        if (!session) return;
        session.ready = true;
        let set = byDevice.get(session.deviceId);
        if (!set) byDevice.set(session.deviceId, (set = new Set()));
        set.add(client);
        deps.status().connected(session.deviceId);
        // The official IoTDA SDKs never subscribe to their system topics: the platform routes them regardless.
        client.subscribe(
          iotdaDownTopics(session.deviceId).map((topic) => ({ topic, qos: 1 as const })),
          (e) => e && log.warn(`subscribing ${session.deviceId} to its system topics failed: ${e.message}`),
        );
      });

      aedes.on('clientDisconnect', (client) => {
        const session = sessions.get(client);
        if (!session?.ready) return;
        session.ready = false;
        byDevice.get(session.deviceId)?.delete(client);
        if (byDevice.get(session.deviceId)?.size === 0) byDevice.delete(session.deviceId);
        deps.status().disconnected(session.deviceId);
      });

      const aclViolation = (client: Client, session: Session | undefined, topic: string, what: string) => {
        refuse({
          kind: 'acl',
          peer: session?.conn.peer ?? '?',
          clientId: client.id,
          username: session?.deviceId ?? '',
          ...(session ? { deviceId: session.deviceId } : {}),
          reason: `${what} ${topic} is not allowed for this device`,
        });
        setImmediate(() => client.close());
        return new Error(`${what} ${topic} not allowed`);
      };

      aedes.authorizeSubscribe = (client, sub, done) => {
        const session = sessions.get(client);
        if (!session || !maySubscribe(sub.topic, session.scope)) {
          return done(aclViolation(client, session, sub.topic, 'subscribing to'), null);
        }
        if (sub.topic.startsWith('/huawei/v1/')) session.dialect = 'legacy';
        done(null, sub);
      };

      aedes.authorizePublish = (client, packet, done) => {
        if (!client) return done(null);
        const session = sessions.get(client);
        const kind = session ? classifyPublish(packet.topic, session.scope) : undefined;
        if (!session || !kind) return done(aclViolation(client, session, packet.topic, 'publishing to'));
        handleUplink(session, kind, packet.topic, packet.payload as Buffer).then(
          () => done(null),
          (error: unknown) => {
            log.error({ err: error }, `storing an uplink of ${session.deviceId} failed`);
            done(error instanceof Error ? error : new Error(String(error)));
          },
        );
      };

      // Device uplinks are for the platform, not for other subscribers.
      aedes.authorizeForward = (client, packet: AedesPublishPacket) => {
        const session = sessions.get(client);
        if (!session) return packet;
        return packet.topic.startsWith('$oc/') || packet.topic.startsWith('/huawei/')
          ? session.scope.ids.some((id) => packet.topic.includes(`/devices/${id}/`))
            ? packet
            : null
          : packet;
      };

      const recordError = (session: Session, deviceId: string, topic: string, error: UplinkError, raw: Buffer) => {
        deps.data().recordError(deviceId, topic, error, raw);
        log.info(`uplink of ${deviceId} on ${topic} kept as an error: ${error.code} ${error.message}`);
        void session;
      };

      /** Splits the services into known ones (stored) and unknown ones (recorded as errors). */
      const store = async (
        session: Session,
        deviceId: string,
        topic: string,
        services: ServiceReport[],
        raw: Buffer,
      ) => {
        const known = session.model?.services;
        const accepted =
          known && known.length > 0 ? services.filter((s) => known.some((k) => k.serviceId === s.serviceId)) : services;
        if (accepted.length < services.length) {
          const unknown = services.filter((s) => !accepted.includes(s)).map((s) => s.serviceId);
          recordError(
            session,
            deviceId,
            topic,
            {
              code: 'UNKNOWN_SERVICE',
              message: `the product model has no service ${unknown.join(', ')}`,
            },
            raw,
          );
        }
        if (accepted.length) await deps.data().ingest(deviceId, accepted);
      };

      const handleUplink = async (session: Session, kind: UplinkKind, topic: string, payload: Buffer) => {
        const id = session.deviceId;
        switch (kind.kind) {
          case 'legacyData': {
            session.dialect = 'legacy';
            if (kind.format === 'binary') {
              if (!deps.decodeUplink)
                return recordError(
                  session,
                  id,
                  topic,
                  { code: 'NO_CODEC', message: 'no codec service is installed' },
                  payload,
                );
              const decoded = await deps.decodeUplink(session.productId, payload, topic);
              if (!decoded.ok) return recordError(session, id, topic, decoded.error, payload);
              if (decoded.message.kind !== 'data') return;
              return store(session, id, topic, decoded.message.services, payload);
            }
            const r = parseLegacyJson(payload);
            if (!r.ok) return recordError(session, id, topic, r.error, payload);
            if (r.value.kind !== 'data') return;
            return store(session, id, topic, r.value.services, payload);
          }
          case 'properties': {
            const r = parsePropertiesReport(payload);
            if (!r.ok) return recordError(session, id, topic, r.error, payload);
            return store(session, id, topic, r.value, payload);
          }
          case 'gatewayProperties': {
            const r = parseGatewayReport(payload);
            if (!r.ok) return recordError(session, id, topic, r.error, payload);
            const registry = deps.devices();
            for (const sub of r.value) {
              const child = registry.get(sub.deviceId);
              if (!child) {
                recordError(
                  session,
                  id,
                  topic,
                  { code: 'UNKNOWN_DEVICE', message: `no device ${sub.deviceId}` },
                  payload,
                );
                continue;
              }
              deps.status().reported(child.deviceId);
              await store(
                { ...session, model: deps.productModel(child.productId) },
                child.deviceId,
                topic,
                sub.services,
                payload,
              );
            }
            return;
          }
          case 'message':
            for (const l of messageListeners) l({ deviceId: id, topic, payload });
            return;
          case 'passThrough':
            return;
        }
      };

      unsubscribeRegistry = deps.devices().onChange((change) => {
        if (change.kind !== 'deleted' && change.kind !== 'secretReset') return;
        for (const c of clientsOf(change.deviceId)) c.close();
      });

      const listener = ports.tcp('mqtt');
      if (!listener) {
        log.warn('no MQTT port is bound: MQTT device access is off');
        return;
      }
      listener.serve((socket) => {
        socket.setNoDelay(true);
        const connectionId = randomUUID();
        const tapped = tapConnection(socket, {
          connectionId,
          maxPacketBytes,
          onPacket: (direction, bytes) => {
            const deviceId = connectionDevice.get(connectionId);
            bus.publish('frame', {
              at: clock.now(),
              direction,
              transport: 'tcp',
              protocol: 'mqtt',
              local: tapped.local,
              peer: tapped.peer,
              ...(deviceId ? { deviceId } : {}),
              connectionId,
              bytesBase64: bytes.toString('base64'),
            });
          },
          onViolation: (error) => {
            const deviceId = connectionDevice.get(connectionId);
            refuse({
              kind: 'oversized',
              peer: tapped.peer,
              clientId: '',
              username: deviceId ?? '',
              ...(deviceId ? { deviceId } : {}),
              reason: `${error.code}: ${error.message}`,
            });
          },
        });
        connections.set(tapped.stream, tapped);
        tapped.stream.once('close', () => {
          connections.delete(tapped.stream);
          connectionDevice.delete(connectionId);
        });
        aedes.handle(tapped.stream);
      });
    },

    async stop() {
      unsubscribeRegistry?.();
      const b = broker;
      broker = undefined;
      if (b) await new Promise<void>((resolve) => b.close(() => resolve()));
    },
  };
  return capability;
}
