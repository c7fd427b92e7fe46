import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MqttAccessContext } from '../../../../../core/access/mqtt/access-context.js';
import { SessionTable, type Session } from '../../../../../core/access/mqtt/session-table.js';
import { SubDeviceRouting } from '../../../../../core/access/mqtt/sub-device-routing.js';
import { createUplinkRouter } from '../../../../../core/access/mqtt/uplink.js';
import { createEventBus } from '../../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../../core/clock.js';
import type { Device } from '../../../../../core/contract/devices.js';
import type {
  DeviceEvent,
  DeviceMessage,
  DeviceRequest,
  MqttDownlink,
  MqttPublish,
} from '../../../../../core/device-link/index.js';
import { classifyPublish } from '../../../../../core/protocols/mqtt/device-topics.js';

const device = (deviceId: string, productId: string, gatewayId?: string) =>
  ({ deviceId, productId, nodeId: deviceId, ...(gatewayId ? { gatewayId } : {}) }) as Device;

function setup() {
  const registry = new Map([
    ['gw', device('gw', 'pg')],
    ['child', device('child', 'pc', 'gw')],
    ['stranger', device('stranger', 'pc')],
  ]);
  const stored: { deviceId: string; productId: string }[] = [];
  const refused: string[] = [];
  const messages: DeviceMessage[] = [];
  const presence: string[] = [];
  const answered: unknown[] = [];
  const requests: DeviceRequest[] = [];
  const published: MqttPublish[] = [];
  const events: DeviceEvent[] = [];
  const downlink: MqttDownlink = {
    isConnected: () => true,
    dialectOf: () => 'iotda',
    publish: (_deviceId, message) => {
      published.push(message);
      return Promise.resolve({ sent: true, topic: message.topic ?? '', delivered: Promise.resolve(true) });
    },
  };
  const ctx = {
    deps: {
      devices: () => ({ get: (id: string) => registry.get(id) }),
      status: () => ({ reported: () => undefined }),
      uplink: {
        report: (d: { deviceId: string; productId: string }) => {
          stored.push(d);
          return Promise.resolve();
        },
        decode: () => Promise.resolve(undefined),
        refuse: (_id: string, _topic: string, error: { code: string }) => void refused.push(error.code),
      },
      link: {
        message: (m: DeviceMessage) => void messages.push(m),
        response: (r: unknown) => void answered.push(r),
        request: (r: DeviceRequest) => void requests.push(r),
        event: (e: DeviceEvent) => void events.push(e),
      },
    },
    clock: createManualClock(5),
    log: pino({ level: 'silent' }),
    bus: createEventBus(() => undefined),
    sessions: new SessionTable(),
    refuse: () => undefined,
    presence: (deviceId: string, kind: string) => void presence.push(`${deviceId} ${kind}`),
  } as unknown as MqttAccessContext;
  const route = createUplinkRouter(ctx, downlink, new SubDeviceRouting());
  const session: Session = {
    deviceId: 'gw',
    productId: 'pg',
    model: undefined,
    scope: { ids: ['gw'], customTopics: [{ suffix: 'faults', permission: 'publish' }] },
    dialect: 'iotda',
    conn: {} as Session['conn'],
    ready: true,
  };
  const send = (topic: string, body: unknown) => {
    const kind = classifyPublish(topic, session.scope);
    if (!kind) throw new Error(`${topic} is not an uplink topic`);
    return route(session, kind, topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  };
  return { send, session, stored, refused, messages, presence, answered, requests, published, events };
}

describe('uplink routing', () => {
  it('stores a gateway report under each sub-device with its own product, refusing strangers and unknowns', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/gateway/sub_devices/properties/report', {
      devices: ['child', 'stranger', 'nobody'].map((device_id) => ({
        device_id,
        services: [{ service_id: 'S', properties: { x: 1 }, event_time: null }],
      })),
    });
    expect(t.stored).toEqual([{ deviceId: 'child', productId: 'pc' }]);
    expect(t.refused).toEqual(['NOT_A_SUB_DEVICE', 'UNKNOWN_DEVICE']);
    expect(t.presence).toEqual(['gw reported', 'child reported']);
  });

  it('switches the session to the legacy dialect on a legacy report and answers commands from deviceRsp', async () => {
    const t = setup();
    await t.send('/huawei/v1/devices/gw/data/json', { msgType: 'deviceRsp', mid: 3, errcode: 0, body: null });
    expect(t.session.dialect).toBe('legacy');
    expect(t.answered).toEqual([{ at: 5, protocol: 'mqtt', deviceId: 'gw', commandId: '3', resultCode: 0, body: {} }]);
  });

  it('passes sys/messages/up and custom topics on as device messages, never stored', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/messages/up', 'raw bytes');
    await t.send('$oc/devices/gw/user/faults', 'fault 7');
    await t.send('$oc/devices/gw/sys/events/up', { services: [] });
    expect(t.messages.map((m) => [m.topic, m.payload.toString(), m.protocol, m.at])).toEqual([
      ['$oc/devices/gw/sys/messages/up', 'raw bytes', 'mqtt', 5],
      ['$oc/devices/gw/user/faults', 'fault 7', 'mqtt', 5],
    ]);
    expect(t.stored).toEqual([]);
  });

  it('keeps a bad body as an uplink error', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/properties/report', '{oops');
    await t.send('$oc/devices/gw/sys/commands/response/request_id=1', { result_code: 'zero' });
    expect(t.refused).toEqual(['BAD_JSON', 'BAD_PAYLOAD']);
  });

  it('hands property set and get responses to the device link by request_id', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/properties/set/response/request_id=r1', { result_code: 1, result_desc: 'no' });
    await t.send('$oc/devices/gw/sys/properties/get/response/request_id=r2', {
      services: [{ service_id: 'Light', properties: { brightness: 3 }, event_time: null }],
    });
    await t.send('$oc/devices/gw/sys/properties/get/response/request_id=r3', { services: 'none' });
    expect(t.answered).toEqual([
      { at: 5, protocol: 'mqtt', deviceId: 'gw', commandId: 'r1', resultCode: 1, body: { result_desc: 'no' } },
      {
        at: 5,
        protocol: 'mqtt',
        deviceId: 'gw',
        commandId: 'r2',
        resultCode: 0,
        body: { services: [{ service_id: 'Light', properties: { brightness: 3 } }] },
      },
    ]);
    expect(t.refused).toEqual(['BAD_PAYLOAD']);
  });

  it('hands a shadow get request to the device link with its request id and service', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/shadow/get/request_id=abc', { service_id: 'Light' });
    await t.send('$oc/devices/gw/sys/shadow/get/request_id=all', {});
    await t.send('$oc/devices/gw/sys/shadow/get/request_id=bad', { service_id: 7 });
    expect(t.requests).toEqual([
      { at: 5, deviceId: 'gw', protocol: 'mqtt', kind: 'shadowGet', requestId: 'abc', serviceId: 'Light' },
      { at: 5, deviceId: 'gw', protocol: 'mqtt', kind: 'shadowGet', requestId: 'all' },
    ]);
    expect(t.refused).toEqual(['BAD_PAYLOAD']);
  });

  it('answers a $time_sync request on sys/events/down with the platform clock, other events untouched', async () => {
    const t = setup();
    await t.send('$oc/devices/gw/sys/events/up', {
      object_device_id: 'gw',
      services: [
        { service_id: '$sdk_info', event_type: 'sdk_info_report', event_time: null, paras: { sw_version: null } },
        {
          service_id: '$time_sync',
          event_type: 'time_sync_request',
          event_time: null,
          paras: { device_send_time: '1234' },
        },
      ],
    });
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.topic).toBe('$oc/devices/gw/sys/events/down');
    expect(JSON.parse(String(t.published[0]?.payload))).toMatchObject({
      object_device_id: 'gw',
      services: [
        {
          service_id: '$time_sync',
          event_type: 'time_sync_response',
          paras: { device_send_time: 1234, server_recv_time: 5, server_send_time: 5 },
        },
      ],
    });
    expect(t.messages).toEqual([]);
    expect(t.events.map((e) => `${e.deviceId} ${e.serviceId} ${e.eventType}`)).toEqual([
      'gw $sdk_info sdk_info_report',
      'gw $time_sync time_sync_request',
    ]);
  });
});
