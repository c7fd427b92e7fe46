// IoTDA device events (sys/events/up): parsed into services, refused with an error value, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iotdaEventDown, parseDeviceEvents } from '../../../../../core/protocols/mqtt/device-events.js';

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('device events', () => {
  it('parses the services of an event, with null optional fields as the SDKs send them', () => {
    const r = parseDeviceEvents(
      bytes({
        object_device_id: 'gw-1',
        services: [
          {
            service_id: '$sub_device_manager',
            event_type: 'sub_device_sync_request',
            event_time: null,
            paras: { version: 3 },
          },
        ],
      }),
    );
    expect(r).toEqual({
      ok: true,
      value: {
        objectDeviceId: 'gw-1',
        services: [{ serviceId: '$sub_device_manager', eventType: 'sub_device_sync_request', paras: { version: 3 } }],
      },
    });
  });

  it('refuses an event without services or without an event type', () => {
    expect(parseDeviceEvents(bytes({ services: [] }))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
    expect(parseDeviceEvents(bytes({ services: [{ service_id: '$ota' }] }))).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('services.0.event_type') as string },
    });
    expect(parseDeviceEvents(Buffer.from('{'))).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
  });

  it('returns an error for random and truncated input, never throws', () => {
    const good = bytes({ services: [{ service_id: 's', event_type: 't', paras: { a: 1 } }] });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(good.length), (random, cut) => {
        expect(typeof parseDeviceEvents(random).ok).toBe('boolean');
        expect(typeof parseDeviceEvents(good.subarray(0, cut)).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof parseDeviceEvents(bytes(value)).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('builds a platform event on the device events/down topic', () => {
    const down = iotdaEventDown('gw-1', {
      serviceId: '$sub_device_manager',
      eventType: 'x',
      eventTime: 't',
      paras: {},
    });
    expect(down.topic).toBe('$oc/devices/gw-1/sys/events/down');
    expect(JSON.parse(down.payload)).toEqual({
      object_device_id: 'gw-1',
      services: [{ service_id: '$sub_device_manager', event_type: 'x', event_time: 't', paras: {} }],
    });
  });

  it("carries the request's event_id back in a response", () => {
    const down = iotdaEventDown('gw-1', {
      serviceId: '$sub_device_manager',
      eventType: 'add_sub_device_response',
      eventTime: 't',
      eventId: 'req-7',
      paras: {},
    });
    expect((JSON.parse(down.payload) as { services: unknown[] }).services[0]).toMatchObject({
      event_type: 'add_sub_device_response',
      event_id: 'req-7',
    });
  });
});
