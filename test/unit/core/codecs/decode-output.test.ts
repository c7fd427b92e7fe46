// Script decode output in either platform shape becomes one internal form, checked against the product model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDecoded } from '../../../../core/codecs/model-validation.js';
import { parseScriptDecodeOutput, scriptEncodeInput } from '../../../../core/codecs/script-format.js';
import { productModelSchema } from '../../../../core/contract/product-model.js';

const model = productModelSchema.parse({
  deviceType: 'WaterMeter',
  manufacturerId: 'TestUtf8ManuId',
  manufacturerName: 'HZYB',
  model: 'NBIoTDevice',
  protocolType: 'CoAP',
  services: [
    {
      serviceId: 'Battery',
      serviceType: 'Battery',
      properties: [
        { name: 'batteryLevel', dataType: 'int', min: 0, max: 100, required: true },
        { name: 'note', dataType: 'string', maxLength: 4 },
      ],
    },
    {
      serviceId: 'WaterMeterBasic',
      serviceType: 'WaterMeterBasic',
      commands: [
        { name: 'SET_DEVICE_LEVEL', responses: [{ name: 'RSP', paras: [{ name: 'result', dataType: 'int' }] }] },
      ],
    },
  ],
});

describe('script decode output', () => {
  it('normalizes the legacy deviceReq and the IoTDA properties_report to the same message', () => {
    const legacy = parseScriptDecodeOutput(
      '{"msgType":"deviceReq","data":[{"serviceId":"Battery","serviceData":{"batteryLevel":5},"eventTime":"20240101T000000Z"}]}',
    );
    const iotda = parseScriptDecodeOutput(
      '{"msg_type":"properties_report","services":[{"service_id":"Battery","properties":{"batteryLevel":5},"event_time":"20240101T000000Z"}]}',
    );
    const expected = {
      ok: true,
      message: {
        kind: 'data',
        services: [{ serviceId: 'Battery', properties: { batteryLevel: 5 }, eventTime: '20240101T000000Z' }],
      },
    };
    expect(legacy).toEqual(expected);
    expect(iotda).toEqual(expected);
  });

  it('normalizes deviceRsp and commands_response with their mid', () => {
    expect(parseScriptDecodeOutput('{"msgType":"deviceRsp","mid":7,"errcode":1,"body":{"result":2}}')).toEqual({
      ok: true,
      message: { kind: 'commandResponse', mid: 7, errcode: 1, body: { result: 2 } },
    });
    expect(
      parseScriptDecodeOutput(
        '{"msg_type":"commands_response","request_id":"9","result_code":0,"command_name":"X","paras":{}}',
      ),
    ).toEqual({ ok: true, message: { kind: 'commandResponse', mid: 9, errcode: 0, body: {}, commandName: 'X' } });
  });

  it('names what is wrong with output that is not the platform format', () => {
    expect(parseScriptDecodeOutput('not json')).toMatchObject({ ok: false, error: { code: 'DECODE_NOT_JSON' } });
    expect(parseScriptDecodeOutput('{"a":1}')).toMatchObject({ ok: false, error: { code: 'DECODE_BAD_FORMAT' } });
    expect(parseScriptDecodeOutput('{"msgType":"deviceRsp"}')).toMatchObject({
      ok: false,
      error: { code: 'DECODE_BAD_FORMAT', message: expect.stringContaining('"deviceRsp"') as string },
    });
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => void parseScriptDecodeOutput(text)),
      { numRuns: 1000 },
    );
  });

  it('hands encode() the legacy and the IoTDA command fields together', () => {
    expect(JSON.parse(scriptEncodeInput({ serviceId: 'S', name: 'C', paras: { v: 1 }, mid: 3 }))).toEqual({
      msgType: 'cloudReq',
      serviceId: 'S',
      cmd: 'C',
      paras: { v: 1 },
      hasMore: 0,
      mid: 3,
      msg_type: 'commands',
      service_id: 'S',
      command_name: 'C',
    });
  });
});

describe('validation against the product model', () => {
  it('reports unknown services and properties, wrong types and out-of-range values', () => {
    const issues = validateDecoded(model, {
      kind: 'data',
      services: [
        { serviceId: 'Battery', properties: { batteryLevel: 101, note: 'too long', extra: 1 } },
        { serviceId: 'Nope', properties: {} },
      ],
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['OUT_OF_RANGE', 'Battery.batteryLevel'],
      ['TOO_LONG', 'Battery.note'],
      ['UNKNOWN_PROPERTY', 'Battery.extra'],
      ['UNKNOWN_SERVICE', 'services[1].serviceId'],
    ]);
    expect(
      validateDecoded(model, { kind: 'data', services: [{ serviceId: 'Battery', properties: { batteryLevel: '5' } }] }),
    ).toMatchObject([{ severity: 'error', code: 'WRONG_TYPE' }]);
  });

  it('checks a command response body against the command response fields', () => {
    expect(
      validateDecoded(model, {
        kind: 'commandResponse',
        mid: 1,
        errcode: 0,
        body: { result: 'x' },
        commandName: 'SET_DEVICE_LEVEL',
      }),
    ).toMatchObject([{ code: 'WRONG_TYPE', path: 'body.result' }]);
  });

  it('warns when there is no model to check against', () => {
    expect(validateDecoded(undefined, { kind: 'data', services: [] })).toMatchObject([
      { severity: 'warning', code: 'NO_PRODUCT_MODEL' },
    ]);
  });
});
