// The push bodies of §1.11, field by field, and custom messages of any bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandRspBody,
  deviceDataChangedBody,
  deviceDeletedBody,
  deviceMessageBody,
  deviceModelBody,
} from '../../../../core/push/notification-bodies.js';

describe('notification bodies', () => {
  it('deviceDataChanged carries requestId, ids and one service', () => {
    const service = { serviceId: 'Light', serviceType: 'Light', data: { on: true }, eventTime: '20261126T080100Z' };
    expect(deviceDataChangedBody('r-1', 'd', 'g', service)).toEqual({
      notifyType: 'deviceDataChanged',
      requestId: 'r-1',
      deviceId: 'd',
      gatewayId: 'g',
      service,
    });
  });

  it('deviceDeleted, deviceModelAdded and commandRsp have the documented fields only', () => {
    expect(Object.keys(deviceDeletedBody('d', 'g'))).toEqual(['notifyType', 'deviceId', 'gatewayId']);
    const model = { deviceType: 'T', manufacturerId: 'M', manufacturerName: 'N', model: 'X', protocolType: 'MQTT' };
    expect(Object.keys(deviceModelBody('deviceModelAdded', 'app', model)).sort()).toEqual(
      ['notifyType', 'appId', 'deviceType', 'manufacturerName', 'manufacturerId', 'model', 'protocolType'].sort(),
    );
    const rsp = commandRspBody({ commandId: 'c', deviceId: 'd', serviceType: 'Light', method: 'SET_RSP', body: {} });
    expect(Object.keys(rsp.header).sort()).toEqual(['deviceId', 'from', 'method', 'requestId', 'serviceType', 'to']);
  });

  it('passes a text message on as text and any other bytes as base64', () => {
    expect(deviceMessageBody({ deviceId: 'd', topic: 't', payload: Buffer.from('héllo'), at: 'x' }).body).toEqual({
      topic: 't',
      content: 'héllo',
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const payload = Buffer.from(bytes);
        const body = deviceMessageBody({ deviceId: 'd', topic: 't', payload, at: 'x' }).body;
        const back =
          body.content !== undefined
            ? Buffer.from(body.content, 'utf8')
            : Buffer.from(body.contentBase64 ?? '', 'base64');
        expect(back.equals(payload)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
