// A sub-device's downlink in gateway form: the gateway's topic, the sub-device in object_device_id.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewayDownlink } from '../../../../../core/protocols/mqtt/gateway-downlink.js';

describe('gateway downlink', () => {
  it("rewrites the sub-device's topic to the gateway's and keeps the request id", () => {
    const d = gatewayDownlink(
      'p_lamp-1',
      'p_gw',
      '$oc/devices/p_lamp-1/sys/commands/request_id=abc',
      Buffer.from(JSON.stringify({ service_id: 'Light', command_name: 'ON', paras: {} })),
    );
    expect(d?.topic).toBe('$oc/devices/p_gw/sys/commands/request_id=abc');
    expect(d?.requestId).toBe('abc');
    expect(JSON.parse(d?.payload.toString() ?? '')).toEqual({
      service_id: 'Light',
      command_name: 'ON',
      paras: {},
      object_device_id: 'p_lamp-1',
    });
  });

  it('leaves a body that already names the sub-device, and non-object bodies, as they are', () => {
    const named = Buffer.from('{"object_device_id":"s","services":[]}');
    expect(gatewayDownlink('s', 'g', '$oc/devices/s/sys/properties/set/request_id=1', named)?.payload).toBe(named);
    const raw = Buffer.from([0x01, 0xff]);
    expect(gatewayDownlink('s', 'g', '$oc/devices/s/sys/messages/down', raw)).toEqual({
      topic: '$oc/devices/g/sys/messages/down',
      payload: raw,
    });
    const list = Buffer.from('[1,2]');
    expect(gatewayDownlink('s', 'g', '$oc/devices/s/user/x', list)?.payload).toBe(list);
  });

  it("refuses a topic that is not the sub-device's own", () => {
    expect(gatewayDownlink('s', 'g', '$oc/devices/other/sys/messages/down', Buffer.from('{}'))).toBeUndefined();
    expect(gatewayDownlink('s', 'g', '/huawei/v1/devices/s/command/json', Buffer.from('{}'))).toBeUndefined();
  });

  it('never throws on random payloads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const d = gatewayDownlink('s', 'g', '$oc/devices/s/sys/events/down', Buffer.from(bytes));
        expect(d?.topic).toBe('$oc/devices/g/sys/events/down');
      }),
      { numRuns: 500 },
    );
  });
});
