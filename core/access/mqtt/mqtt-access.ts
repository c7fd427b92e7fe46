// MQTT device access: aedes on the platform's MQTT port, device login, topic ACL, uplink ingestion, downlink plumbing.
import { randomUUID } from 'node:crypto';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket } from 'aedes';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, TLSSocket } from 'node:tls';
import { HttpError } from '../../api/http-error.js';
import type { Capability } from '../../capability.js';
import { deviceRoutes } from '../../contract/devices.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { ServiceReport } from '../../contract/codecs.js';
import type { UplinkPipeline } from '../../data/uplink-pipeline.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DeviceStatusEngine } from '../../devices/device-status.js';
import type { Logger } from '../../log/logger.js';
import { CommandCorrelation, DEFAULT_COMMAND_TIMEOUT_MS, type CommandResponse } from './command-correlation.js';
import { parseClientId, passwordMatches, timestampFresh } from '../../protocols/mqtt/device-credentials.js';
import { DynamicSecretLogins, type ProductSecretSource } from './dynamic-secret.js';
import {
  classifyPublish,
  iotdaDownTopics,
  legacyCommandTopic,
  maySubscribe,
  type DeviceTopicScope,
  type UplinkKind,
} from '../../protocols/mqtt/device-topics.js';
import { tapConnection, type TappedConnection } from './frame-tap.js';
import { loadOrCreateTlsCredentials } from '../../tls/tls-certificate.js';
import { LoginBackoff } from './login-backoff.js';
import { RefusalLog, mqttAccessMigrations, type RefusalInput } from './refusal-log.js';
import {
  parseCommandResponse,
  parseGatewayReport,
  parseLegacyJson,
  parsePropertiesReport,
  type UplinkError,
} from '../../protocols/mqtt/uplink-payloads.js';
import type { DeviceLinkReports } from '../../device-link/index.js';

export interface MqttAccessDeps {
  devices: () => DeviceRegistry;
  status: () => DeviceStatusEngine;
  /** Every reported value goes through the one uplink pipeline (codec, model checks, errors, ingest). */
  uplink: UplinkPipeline;
  /** Presence (online, reported, re-registered, offline) and device responses, for queues that wait on devices. */
  link: DeviceLinkReports;
  productModel: (productId: string) => ProductModel | undefined;
  /** Product secrets for one-model-one-secret login (authType 1, see dynamic-secret.ts); without them it is refused. */
  productSecrets?: ProductSecretSource;
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
  /**
   * Sends a command on the device's dialect (legacy `cloudReq` with a fresh mid, IoTDA `commands/request_id=…`);
   * `response` resolves with the device's answer, or undefined after the timeout (default 30 s).
   */
  sendCommand(
    deviceId: string,
    command: { serviceId: string; commandName: string; paras: Record<string, unknown> },
    options?: { timeoutMs?: number },
  ): Promise<
    { sent: false } | { sent: true; commandId: string; topic: string; response: Promise<CommandResponse | undefined> }
  >;
  /** Every command response a device sends, matched to its command or not. */
  onCommandResponse(listener: (response: CommandResponse) => void): () => void;
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
  const responseListeners = new Set<(r: CommandResponse) => void>();
  let correlation: CommandCorrelation | undefined;
  let unsubscribeRegistry: (() => void) | undefined;
  let dynamicLogins: DynamicSecretLogins | undefined;

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

    onCommandResponse(listener) {
      responseListeners.add(listener);
      return () => responseListeners.delete(listener);
    },

    async sendCommand(deviceId, command, options = {}) {
      const client = clientsOf(deviceId)[0];
      const session = client ? sessions.get(client) : undefined;
      if (!session || !correlation) return { sent: false };
      const legacy = session.dialect === 'legacy';
      const mid = legacy ? correlation.allocateMid(deviceId) : undefined;
      const commandId = mid === undefined ? correlation.allocateRequestId() : String(mid);
      const topic = legacy
        ? legacyCommandTopic(deviceId)
        : `$oc/devices/${deviceId}/sys/commands/request_id=${commandId}`;
      const payload = legacy
        ? {
            msgType: 'cloudReq',
            serviceId: command.serviceId,
            cmd: command.commandName,
            paras: command.paras,
            hasMore: 0,
            mid,
          }
        : {
            object_device_id: deviceId,
            service_id: command.serviceId,
            command_name: command.commandName,
            paras: command.paras,
          };
      // Waiting starts before publishing: a fast device may answer before the PUBACK is handled.
      const response = correlation.expect(deviceId, commandId, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
      const sent = await capability.publishToDevice(deviceId, { payload: JSON.stringify(payload), topic, qos: 1 });
      if (!sent.sent) {
        correlation.settle({ deviceId, commandId, dialect: session.dialect, resultCode: -1, body: {} });
        return { sent: false };
      }
      return { sent: true, commandId, topic, response };
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

    async start({ db, clock, bus, logger, ports, routes, config, dataDir }) {
      const log: Logger = logger;
      const commands = new CommandCorrelation(clock);
      correlation = commands;
      const commandResponse = (response: Omit<CommandResponse, 'matched'>) => {
        const settled = commands.settle(response);
        bus.publish('command', {
          at: clock.now(),
          deviceId: response.deviceId,
          commandId: response.commandId,
          status: response.resultCode === 0 ? 'SUCCESSFUL' : 'FAILED',
        });
        if (!settled.matched)
          log.info(`${response.deviceId} answered command ${response.commandId}, which is not waiting for an answer`);
        for (const l of responseListeners) l(settled);
      };
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
      routes.add(deviceRoutes.sendDeviceCommand, async ({ params, body }) => {
        deps.devices().require(params.id);
        const sent = await capability.sendCommand(params.id, body, { timeoutMs: body.timeoutMs });
        if (!sent.sent) return { sent: false };
        const answer = await sent.response;
        return {
          sent: true,
          commandId: sent.commandId,
          topic: sent.topic,
          ...(answer
            ? {
                response: {
                  resultCode: answer.resultCode,
                  ...(answer.responseName ? { responseName: answer.responseName } : {}),
                  body: answer.body,
                },
              }
            : {}),
        };
      });
      routes.add(deviceRoutes.listMqttRefusals, ({ query }) => ({ items: refusals.list(query.limit) }));

      const refuse = (r: RefusalInput) => {
        refusals.record(r);
        log.info(`mqtt ${r.kind} refused for ${r.clientId || '?'} from ${r.peer}: ${r.reason}`);
      };

      const aedes = await Aedes.createBroker({ maxClientsIdLength: 256, connectTimeout: 30_000 });
      broker = aedes;
      const dynamic = new DynamicSecretLogins({
        broker: aedes,
        devices: deps.devices,
        productSecrets: deps.productSecrets,
        clock,
        log,
        refuse,
      });
      dynamicLogins = dynamic;

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
        const dynamicLogin = dynamic.login(client, user, password, peer);
        if (dynamicLogin && !dynamicLogin.ok) return fail('auth', dynamicLogin.reason, dynamicLogin.deviceId);
        if (dynamicLogin?.ok) {
          if (!conn) return fail('auth', 'connection is not tracked');
          backoff.succeeded(conn.peerAddress);
          connectionDevice.set(conn.connectionId, dynamicLogin.deviceId);
          return done(null, true);
        }
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
        if (dynamic.owns(client)) return dynamic.authorizeSubscribe(client, sub, done);
        const session = sessions.get(client);
        if (!session || !maySubscribe(sub.topic, session.scope)) {
          return done(aclViolation(client, session, sub.topic, 'subscribing to'), null);
        }
        if (sub.topic.startsWith('/huawei/v1/')) session.dialect = 'legacy';
        done(null, sub);
      };

      aedes.authorizePublish = (client, packet, done) => {
        if (!client) return done(null);
        if (dynamic.owns(client)) return dynamic.authorizePublish(client, packet, done);
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
        // A device's own system uplinks (reports, command responses) are never echoed back to it, even though it is
        // subscribed to sys/commands/# and friends; its custom topics behave like plain MQTT.
        if (classifyPublish(packet.topic, session.scope) && !packet.topic.includes('/user/')) return null;
        return packet.topic.startsWith('$oc/') || packet.topic.startsWith('/huawei/')
          ? session.scope.ids.some((id) => packet.topic.includes(`/devices/${id}/`))
            ? packet
            : null
          : packet;
      };

      const uplink = deps.uplink;
      const recordError = (id: string, topic: string, error: UplinkError, raw: Buffer) =>
        uplink.refuse(id, topic, error, raw);
      const store = (session: Session, deviceId: string, topic: string, services: ServiceReport[], raw: Buffer) =>
        uplink.report({ deviceId, productId: session.productId }, topic, services, raw);

      const handleUplink = async (session: Session, kind: UplinkKind, topic: string, payload: Buffer) => {
        const id = session.deviceId;
        switch (kind.kind) {
          case 'legacyData': {
            session.dialect = 'legacy';
            if (kind.format === 'binary') {
              const decoded = await uplink.decode({ deviceId: id, productId: session.productId }, topic, payload);
              if (decoded?.kind === 'commandResponse')
                return commandResponse({
                  deviceId: id,
                  commandId: String(decoded.mid),
                  dialect: 'legacy',
                  resultCode: decoded.errcode,
                  body: decoded.body,
                  ...(decoded.commandName ? { responseName: decoded.commandName } : {}),
                });
              return;
            }
            const r = parseLegacyJson(payload);
            if (!r.ok) return recordError(id, topic, r.error, payload);
            if (r.value.kind === 'commandResponse')
              return commandResponse({
                deviceId: id,
                commandId: String(r.value.mid),
                dialect: 'legacy',
                resultCode: r.value.errcode,
                body: r.value.body,
              });
            return store(session, id, topic, r.value.services, payload);
          }
          case 'properties': {
            const r = parsePropertiesReport(payload);
            if (!r.ok) return recordError(id, topic, r.error, payload);
            return store(session, id, topic, r.value, payload);
          }
          case 'gatewayProperties': {
            const r = parseGatewayReport(payload);
            if (!r.ok) return recordError(id, topic, r.error, payload);
            const registry = deps.devices();
            for (const sub of r.value) {
              const child = registry.get(sub.deviceId);
              if (!child) {
                recordError(id, topic, { code: 'UNKNOWN_DEVICE', message: `no device ${sub.deviceId}` }, payload);
                continue;
              }
              if (child.deviceId !== id && child.gatewayId !== id) {
                recordError(
                  id,
                  topic,
                  {
                    code: 'NOT_A_SUB_DEVICE',
                    message: `${sub.deviceId} is not a sub-device of ${id}; a gateway reports only for devices registered with it as their gateway`,
                  },
                  payload,
                );
                continue;
              }
              deps.status().reported(child.deviceId);
              await store({ ...session, productId: child.productId }, child.deviceId, topic, sub.services, payload);
            }
            return;
          }
          case 'message':
            for (const l of messageListeners) l({ deviceId: id, topic, payload });
            return;
          case 'commandResponse': {
            const r = parseCommandResponse(payload);
            if (!r.ok) return recordError(id, topic, r.error, payload);
            return commandResponse({
              deviceId: id,
              commandId: kind.requestId,
              dialect: 'iotda',
              resultCode: r.value.resultCode,
              body: r.value.paras,
              ...(r.value.responseName ? { responseName: r.value.responseName } : {}),
            });
          }
          case 'passThrough':
            return;
        }
      };

      unsubscribeRegistry = deps.devices().onChange((change) => {
        if (change.kind !== 'deleted' && change.kind !== 'secretReset') return;
        for (const c of clientsOf(change.deviceId)) c.close();
      });

      const serveSocket = (socket: Socket) => {
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
      };

      const listener = ports.tcp('mqtt');
      if (listener) listener.serve(serveSocket);
      else log.warn('no MQTT port is bound: plain MQTT device access is off');

      const tlsListener = ports.tcp('mqtts');
      if (tlsListener) {
        const credentials = loadOrCreateTlsCredentials(
          dataDir,
          config.mqttsCertFile && config.mqttsKeyFile
            ? { certFile: config.mqttsCertFile, keyFile: config.mqttsKeyFile }
            : undefined,
        );
        const secureContext = createSecureContext({ cert: credentials.cert, key: credentials.key });
        log.info(
          `MQTTS on port ${tlsListener.port} with ${credentials.generated ? 'a new self-signed' : 'the'} certificate ${credentials.certFile} (SHA-256 ${credentials.fingerprint256})`,
        );
        // The tap sits above TLS: the traffic inspector sees the decrypted MQTT packets of MQTTS devices too.
        tlsListener.serve((raw) => serveSocket(new TLSSocket(raw, { isServer: true, secureContext })));
      }
    },

    async stop() {
      unsubscribeRegistry?.();
      dynamicLogins?.stop();
      correlation?.cancelAll();
      const b = broker;
      broker = undefined;
      if (b) await new Promise<void>((resolve) => b.close(() => resolve()));
    },
  };
  return capability;
}
