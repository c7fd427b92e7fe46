import { describe, expect, it } from 'vitest';
import { parseDeviceEvents } from '../../../../../core/protocols/mqtt/device-events.js';
import {
  parseShadowGetRequest,
  shadowGetResponse,
  timeSyncResponse,
  timeSyncSendTime,
} from '../../../../../core/protocols/mqtt/shadow-payloads.js';

const b = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('shadow get requests', () => {
  it('reads the service the SDK asks for, or none for the whole shadow (an empty body too)', () => {
    expect(parseShadowGetRequest(b({ service_id: 'Light' }))).toEqual({ ok: true, value: { serviceId: 'Light' } });
    expect(parseShadowGetRequest(b({ object_device_id: 'd1', service_id: null }))).toEqual({ ok: true, value: {} });
    expect(parseShadowGetRequest(b(''))).toEqual({ ok: true, value: {} });
  });

  it('refuses a body that is not the request', () => {
    expect(parseShadowGetRequest(b('{oops'))).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
    expect(parseShadowGetRequest(b({ service_id: 3 }))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
    expect(parseShadowGetRequest(b([1]))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
  });

  it('answers on the response topic with the request id, in the shape the device SDKs read', () => {
    const answer = shadowGetResponse('d1', 'r-9', [
      {
        serviceId: 'Light',
        desired: { properties: { brightness: 40 }, eventTime: '20261126T120000Z' },
        reported: { properties: { brightness: 10 }, eventTime: null },
        version: 3,
      },
    ]);
    expect(answer.topic).toBe('$oc/devices/d1/sys/shadow/get/response/request_id=r-9');
    expect(JSON.parse(answer.payload)).toEqual({
      object_device_id: 'd1',
      shadow: [
        {
          service_id: 'Light',
          desired: { properties: { brightness: 40 }, event_time: '20261126T120000Z' },
          reported: { properties: { brightness: 10 }, event_time: null },
          version: 3,
        },
      ],
    });
  });
});

describe('time sync', () => {
  const event = (paras: Record<string, unknown>, serviceId = '$time_sync', eventType = 'time_sync_request') => ({
    serviceId,
    eventType,
    paras,
  });

  it('takes the send time as the Python SDK (digits) and the C SDK (a number) send it', () => {
    expect(timeSyncSendTime(event({ device_send_time: '1700000000123' }))).toBe(1_700_000_000_123);
    expect(timeSyncSendTime(event({ device_send_time: 42 }))).toBe(42);
    expect(timeSyncSendTime(event({ device_send_time: 'soon' }))).toBeUndefined();
    expect(timeSyncSendTime(event({ device_send_time: -1 }))).toBeUndefined();
    expect(timeSyncSendTime(event({ device_send_time: 1 }, '$ota'))).toBeUndefined();
    expect(timeSyncSendTime(event({ device_send_time: 1 }, '$time_sync', 'time_sync_response'))).toBeUndefined();
  });

  it('answers with the device send time and the server receive and send times on sys/events/down', () => {
    const answer = timeSyncResponse('d1', { deviceSendTime: 1, serverRecvTime: 2, serverSendTime: 3 }, 'T');
    expect(answer.topic).toBe('$oc/devices/d1/sys/events/down');
    expect(JSON.parse(answer.payload)).toEqual({
      object_device_id: 'd1',
      services: [
        {
          service_id: '$time_sync',
          event_type: 'time_sync_response',
          event_time: 'T',
          paras: { device_send_time: 1, server_recv_time: 2, server_send_time: 3 },
        },
      ],
    });
  });

  it('reads the events an SDK reports, with null event times', () => {
    const parsed = parseDeviceEvents(
      b({ object_device_id: null, services: [{ service_id: 'S', event_type: 'e', event_time: null, paras: null }] }),
    );
    expect(parsed).toEqual({ ok: true, value: { services: [{ serviceId: 'S', eventType: 'e', paras: {} }] } });
    expect(parseDeviceEvents(b({ services: [] }))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
  });
});

describe('garbage', () => {
  it('returns errors for random and truncated input, never throws', () => {
    const good = b({ services: [{ service_id: '$time_sync', event_type: 'time_sync_request', paras: { a: 1 } }] });
    for (let i = 0; i < 2000; i++) {
      const random = Buffer.from(
        Array.from({ length: 1 + Math.floor(Math.random() * 50) }, () => Math.floor(Math.random() * 256)),
      );
      const cut = good.subarray(0, Math.floor(Math.random() * good.length));
      expect(parseDeviceEvents(random).ok).toBe(false);
      for (const parse of [parseDeviceEvents, parseShadowGetRequest]) {
        expect(() => parse(random)).not.toThrow();
        expect(() => parse(cut)).not.toThrow();
      }
    }
  });
});
