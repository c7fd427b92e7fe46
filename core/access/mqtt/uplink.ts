// Routes an accepted device publish by its topic: reports to the uplink pipeline (codec, model checks, storage),
// command and property responses and custom messages to the device link; bad bodies become uplink errors.
import type { ServiceReport } from '../../contract/codecs.js';
import type { MqttDownlink } from '../../device-link/index.js';
import { formatNorthboundTime } from '../../northbound/index.js';
import { parseDeviceEvents, type EventService } from '../../protocols/mqtt/device-events.js';
import { isCustomTopic } from '../../protocols/mqtt/device-topics.js';
import { parseShadowGetRequest, timeSyncResponse, timeSyncSendTime } from '../../protocols/mqtt/shadow-payloads.js';
import {
  parseCommandResponse,
  parseGatewayReport,
  parseLegacyJson,
  parsePropertiesGetResponse,
  parsePropertiesReport,
  parsePropertiesSetResponse,
} from '../../protocols/mqtt/uplink-payloads.js';
import type { MqttAccessContext } from './access-context.js';
import type { UplinkHandler } from './acl.js';
import type { Session } from './session-table.js';
import type { SubDeviceRouting } from './sub-device-routing.js';

interface Answer {
  deviceId: string;
  /** The mid (legacy, codec) or request_id (IoTDA) as text: the id the command was sent with. */
  commandId: string;
  resultCode: number;
  responseName?: string;
  body: Record<string, unknown>;
}

export function createUplinkRouter(
  ctx: MqttAccessContext,
  downlink: MqttDownlink,
  routing: SubDeviceRouting,
): UplinkHandler {
  const { deps } = ctx;
  // Whoever sent the command (core/commands) waits on the device link for its answer.
  const answered = (answer: Answer) => deps.link.response({ at: ctx.clock.now(), protocol: 'mqtt', ...answer });
  const pipeline = deps.uplink;
  const store = (session: Session, topic: string, services: ServiceReport[], raw: Buffer) =>
    pipeline.report({ deviceId: session.deviceId, productId: session.productId }, topic, services, raw);

  const gatewayReport = async (session: Session, topic: string, payload: Buffer) => {
    const id = session.deviceId;
    const r = parseGatewayReport(payload);
    if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
    const registry = deps.devices();
    // Started in order and awaited together: the sub-devices' values share the store's write ticks.
    const stored: Promise<void>[] = [];
    for (const sub of r.value) {
      const child = registry.get(sub.deviceId);
      if (!child) {
        pipeline.refuse(id, topic, { code: 'UNKNOWN_DEVICE', message: `no device ${sub.deviceId}` }, payload);
        continue;
      }
      if (child.deviceId !== id && child.gatewayId !== id) {
        const message = `${sub.deviceId} is not a sub-device of ${id}; a gateway reports only for devices registered with it as their gateway`;
        pipeline.refuse(id, topic, { code: 'NOT_A_SUB_DEVICE', message }, payload);
        continue;
      }
      deps.status().reported(child.deviceId);
      if (child.deviceId !== id) ctx.presence(child.deviceId, 'reported');
      stored.push(
        store({ ...session, deviceId: child.deviceId, productId: child.productId }, topic, sub.services, payload),
      );
    }
    await Promise.all(stored);
  };

  // Events about a sub-device (it is named in object_device_id) are reported for it, with the gateway that sent them.
  const events = async (session: Session, topic: string, payload: Buffer) => {
    const receivedAt = ctx.clock.now();
    const id = session.deviceId;
    const r = parseDeviceEvents(payload);
    if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
    const about = r.value.objectDeviceId;
    let target: { deviceId: string; gatewayId?: string } = { deviceId: id };
    if (about !== undefined && about !== id && !session.scope.ids.includes(about)) {
      if (deps.devices().get(about)?.gatewayId !== id) {
        const message = `${about} is not a sub-device of ${id}; a gateway sends events only for its own sub-devices`;
        return pipeline.refuse(id, topic, { code: 'NOT_A_SUB_DEVICE', message }, payload);
      }
      target = { deviceId: about, gatewayId: id };
    }
    for (const service of r.value.services) {
      ctx.deps.link.event({ at: ctx.clock.now(), protocol: 'mqtt', ...target, ...service });
      await answerTimeSync(target.deviceId, service, receivedAt);
    }
  };

  // `$time_sync` requests (the IoTDA SDKs send them) are answered here: they need only the platform's clock.
  const answerTimeSync = async (deviceId: string, event: EventService, receivedAt: number) => {
    const deviceSendTime = timeSyncSendTime(event);
    if (deviceSendTime === undefined) return;
    const sendAt = ctx.clock.now();
    const answer = timeSyncResponse(
      deviceId,
      { deviceSendTime, serverRecvTime: receivedAt, serverSendTime: sendAt },
      formatNorthboundTime(sendAt),
    );
    const sent = await downlink.publish(deviceId, { topic: answer.topic, payload: answer.payload, qos: 0 });
    if (!sent.sent) ctx.log.info(`time sync answer to ${deviceId} not sent: ${sent.reason}`);
  };

  const legacyData = async (session: Session, format: 'json' | 'binary', topic: string, payload: Buffer) => {
    const id = session.deviceId;
    session.dialect = 'legacy';
    if (format === 'binary') {
      const decoded = await pipeline.decode({ deviceId: id, productId: session.productId }, topic, payload);
      if (decoded?.kind === 'commandResponse')
        answered({
          deviceId: id,
          commandId: String(decoded.mid),
          resultCode: decoded.errcode,
          body: decoded.body,
          ...(decoded.commandName ? { responseName: decoded.commandName } : {}),
        });
      return;
    }
    const r = parseLegacyJson(payload);
    if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
    if (r.value.kind === 'data') return store(session, topic, r.value.services, payload);
    answered({
      deviceId: id,
      commandId: String(r.value.mid),
      resultCode: r.value.errcode,
      body: r.value.body,
    });
  };

  return async (session, kind, topic, payload) => {
    const id = session.deviceId;
    ctx.presence(id, 'reported');
    switch (kind.kind) {
      case 'legacyData':
        return legacyData(session, kind.format, topic, payload);
      case 'properties': {
        const r = parsePropertiesReport(payload);
        return r.ok ? store(session, topic, r.value, payload) : pipeline.refuse(id, topic, r.error, payload);
      }
      case 'gatewayProperties':
        return gatewayReport(session, topic, payload);
      case 'commandResponse': {
        const r = parseCommandResponse(payload);
        if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
        return answered({
          deviceId: routing.take(id, kind.requestId) ?? id,
          commandId: kind.requestId,
          resultCode: r.value.resultCode,
          body: r.value.paras,
          ...(r.value.responseName ? { responseName: r.value.responseName } : {}),
        });
      }
      case 'propertiesResponse': {
        const r = kind.operation === 'set' ? parsePropertiesSetResponse(payload) : parsePropertiesGetResponse(payload);
        if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
        return answered({ deviceId: routing.take(id, kind.requestId) ?? id, commandId: kind.requestId, ...r.value });
      }
      case 'shadowGet': {
        const r = parseShadowGetRequest(payload);
        if (!r.ok) return pipeline.refuse(id, topic, r.error, payload);
        return ctx.deps.link.request({
          at: ctx.clock.now(),
          deviceId: id,
          protocol: 'mqtt',
          kind: 'shadowGet',
          requestId: kind.requestId,
          ...r.value,
        });
      }
      case 'event':
        return events(session, topic, payload);
      case 'message':
        return ctx.deps.link.message({ at: ctx.clock.now(), deviceId: id, protocol: 'mqtt', topic, payload });
      case 'passThrough':
        // Custom topics are device messages too (and reach their MQTT subscribers); other system uplinks are not
        // handled yet and are only acknowledged.
        if (isCustomTopic(topic))
          ctx.deps.link.message({ at: ctx.clock.now(), deviceId: id, protocol: 'mqtt', topic, payload });
        return;
    }
  };
}
