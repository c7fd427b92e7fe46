import { describe, expect, it } from 'vitest';
import { classifyPublish, maySubscribe } from '../../../../../core/protocols/mqtt/device-topics.js';

const scope = {
  ids: ['p1_n1'],
  customTopics: [
    { suffix: 'faults', permission: 'publish' as const },
    { suffix: 'schedule', permission: 'subscribe' as const },
  ],
};

describe('device topic ACL', () => {
  it('classifies the uplink topics of both dialects', () => {
    expect(classifyPublish('/huawei/v1/devices/p1_n1/data/json', scope)).toEqual({
      kind: 'legacyData',
      format: 'json',
    });
    expect(classifyPublish('/huawei/v1/devices/p1_n1/data/binary', scope)).toEqual({
      kind: 'legacyData',
      format: 'binary',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/properties/report', scope)).toEqual({ kind: 'properties' });
    expect(classifyPublish('$oc/devices/p1_n1/sys/gateway/sub_devices/properties/report', scope)).toEqual({
      kind: 'gatewayProperties',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/messages/up', scope)).toEqual({ kind: 'message' });
    expect(classifyPublish('$oc/devices/p1_n1/sys/commands/response/request_id=42', scope)).toEqual({
      kind: 'commandResponse',
      requestId: '42',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/properties/set/response/request_id=a1', scope)).toEqual({
      kind: 'propertiesResponse',
      operation: 'set',
      requestId: 'a1',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/properties/get/response/request_id=a2', scope)).toEqual({
      kind: 'propertiesResponse',
      operation: 'get',
      requestId: 'a2',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/shadow/get/request_id=s1', scope)).toEqual({
      kind: 'shadowGet',
      requestId: 's1',
    });
    expect(classifyPublish('$oc/devices/p1_n1/sys/events/up', scope)).toEqual({ kind: 'event' });
    expect(classifyPublish('$oc/devices/p1_n1/sys/shadow/get/request_id=', scope)).toBeUndefined();
  });

  it('honours custom topic permissions', () => {
    expect(classifyPublish('$oc/devices/p1_n1/user/faults', scope)).toEqual({ kind: 'passThrough' });
    expect(classifyPublish('$oc/devices/p1_n1/user/schedule', scope)).toBeUndefined();
    expect(maySubscribe('$oc/devices/p1_n1/user/schedule', scope)).toBe(true);
    expect(maySubscribe('$oc/devices/p1_n1/user/faults', scope)).toBe(false);
  });

  it('refuses topics of other devices and wildcards above its own prefix', () => {
    expect(classifyPublish('$oc/devices/p1_n2/sys/properties/report', scope)).toBeUndefined();
    expect(classifyPublish('/huawei/v1/devices/p1_n1/command/json', scope)).toBeUndefined();
    expect(maySubscribe('$oc/devices/+/sys/commands/#', scope)).toBe(false);
    expect(maySubscribe('#', scope)).toBe(false);
    expect(maySubscribe('$oc/devices/p1_n1/#', scope)).toBe(false);
    expect(maySubscribe('$oc/devices/p1_n1/sys/commands/#', scope)).toBe(true);
    expect(maySubscribe('/huawei/v1/devices/p1_n1/command/json', scope)).toBe(true);
    expect(maySubscribe('/huawei/v1/devices/p1_n2/command/json', scope)).toBe(false);
  });
});
