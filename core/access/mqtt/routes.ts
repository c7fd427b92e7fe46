// The workbench API of MQTT access: raw downlinks and the refusal log (commands live in core/commands).
import type { RouteRegistrar } from '../../api/contract-routes.js';
import { deviceRoutes } from '../../contract/devices.js';
import { DomainError } from '../../domain-error.js';
import { maySubscribe } from '../../protocols/mqtt/device-topics.js';
import type { MqttAccessContext } from './access-context.js';
import type { MqttDownlinkAdapter } from './downlink.js';
import type { RefusalLog } from './refusal-log.js';

export function addMqttAccessRoutes(
  routes: RouteRegistrar,
  ctx: MqttAccessContext,
  parts: { downlink: MqttDownlinkAdapter; refusals: RefusalLog },
): void {
  const { downlink, refusals } = parts;

  routes.add(deviceRoutes.sendDeviceMessage, async ({ params, body }) => {
    ctx.deps.devices().require(params.id);
    if (body.encoding === 'hex' && !/^([0-9a-fA-F]{2})*$/.test(body.payload))
      throw new DomainError('BAD_HEX', 'payload is not an even count of hex digits', 'body.payload');
    const scope = ctx.sessions.liveSession(params.id)?.session.scope;
    if (body.topic !== undefined && scope && !maySubscribe(body.topic, scope))
      throw new DomainError('TOPIC_NOT_DEVICE', `${body.topic} is not a topic of ${params.id}`, 'body.topic');
    const sent = await downlink.publish(params.id, {
      payload: Buffer.from(body.payload, body.encoding === 'hex' ? 'hex' : 'utf8'),
      kind: body.kind,
      ...(body.topic ? { topic: body.topic } : {}),
    });
    return sent.sent ? { sent: true, topic: sent.topic } : { sent: false };
  });

  routes.add(deviceRoutes.listMqttRefusals, ({ query }) => ({ items: refusals.list(query.limit) }));
}
