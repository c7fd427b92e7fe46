import { describe, expect, it } from 'vitest';
import {
  parseCommandResponse,
  parseGatewayReport,
  parseLegacyJson,
  parsePropertiesGetResponse,
  parsePropertiesReport,
  parsePropertiesSetResponse,
} from '../../../../../core/protocols/mqtt/uplink-payloads.js';

const b = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('uplink payloads', () => {
  it('reads a legacy deviceReq into service reports', () => {
    expect(
      parseLegacyJson(
        b({
          msgType: 'deviceReq',
          hasMore: 0,
          data: [{ serviceId: 'S', serviceData: { a: 1 }, eventTime: '20161219T114920Z' }],
        }),
      ),
    ).toEqual({
      ok: true,
      value: { kind: 'data', services: [{ serviceId: 'S', properties: { a: 1 }, eventTime: '20161219T114920Z' }] },
    });
    expect(parseLegacyJson(b({ msgType: 'deviceRsp', mid: 3, errcode: 0, body: {} }))).toEqual({
      ok: true,
      value: { kind: 'commandResponse', mid: 3, errcode: 0, body: {} },
    });
  });

  it('reads an IoTDA command response; a missing result_code means success', () => {
    expect(parseCommandResponse(b({ result_code: 1, response_name: 'R', paras: { a: 1 } }))).toEqual({
      ok: true,
      value: { resultCode: 1, responseName: 'R', paras: { a: 1 } },
    });
    expect(parseCommandResponse(b({}))).toEqual({ ok: true, value: { resultCode: 0, paras: {} } });
    expect(parseCommandResponse(b({ result_code: 'zero' })).ok).toBe(false);
  });

  it('reads IoTDA and gateway property reports', () => {
    expect(parsePropertiesReport(b({ services: [{ service_id: 'S', properties: { x: true } }] }))).toEqual({
      ok: true,
      value: [{ serviceId: 'S', properties: { x: true } }],
    });
    expect(
      parseGatewayReport(b({ devices: [{ device_id: 'p_1', services: [{ service_id: 'S', properties: { y: 2 } }] }] })),
    ).toEqual({ ok: true, value: [{ deviceId: 'p_1', services: [{ serviceId: 'S', properties: { y: 2 } }] }] });
  });

  // Real device SDKs send null for optional fields they do not set (the IoTDA Python SDK's event_time is null by
  // default); null must mean the same as absent, never a BAD_PAYLOAD.
  it('reads a properties report whose optional event_time is null as the IoTDA Python SDK sends it', () => {
    expect(
      parsePropertiesReport(b({ services: [{ service_id: 'S', properties: { x: 1 }, event_time: null }] })),
    ).toEqual({ ok: true, value: [{ serviceId: 'S', properties: { x: 1 } }] });
  });

  it('reads a gateway sub-device report with null event times', () => {
    expect(
      parseGatewayReport(
        b({ devices: [{ device_id: 'p_1', services: [{ service_id: 'S', properties: { y: 2 }, event_time: null }] }] }),
      ),
    ).toEqual({ ok: true, value: [{ deviceId: 'p_1', services: [{ serviceId: 'S', properties: { y: 2 } }] }] });
  });

  it('reads an IoTDA command response whose result_code, response_name and paras are null', () => {
    expect(parseCommandResponse(b({ result_code: null, response_name: null, paras: null }))).toEqual({
      ok: true,
      value: { resultCode: 0, paras: {} },
    });
  });

  it('reads legacy reports and responses with null eventTime, hasMore and body', () => {
    expect(
      parseLegacyJson(
        b({ msgType: 'deviceReq', hasMore: null, data: [{ serviceId: 'S', serviceData: { a: 1 }, eventTime: null }] }),
      ),
    ).toEqual({ ok: true, value: { kind: 'data', services: [{ serviceId: 'S', properties: { a: 1 } }] } });
    expect(parseLegacyJson(b({ msgType: 'deviceRsp', mid: 4, errcode: 0, hasMore: null, body: null }))).toEqual({
      ok: true,
      value: { kind: 'commandResponse', mid: 4, errcode: 0, body: {} },
    });
  });

  it('still refuses null where a value is required', () => {
    expect(parsePropertiesReport(b({ services: [{ service_id: 'S', properties: null }] })).ok).toBe(false);
    expect(parsePropertiesReport(b({ services: null })).ok).toBe(false);
    expect(parseLegacyJson(b({ msgType: 'deviceRsp', mid: null, errcode: 0 })).ok).toBe(false);
  });

  it('names the problem in bad JSON and wrong shapes', () => {
    expect(parseLegacyJson(b('{oops'))).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
    const bad = parsePropertiesReport(b({ services: [{ properties: {} }] }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
    expect(bad.ok ? '' : bad.error.message).toContain('services.0.service_id');
  });

  it('reads property set and get responses as the device SDKs send them', () => {
    expect(parsePropertiesSetResponse(b({ result_code: 0, result_desc: 'success' }))).toEqual({
      ok: true,
      value: { resultCode: 0, body: { result_desc: 'success' } },
    });
    expect(parsePropertiesSetResponse(b({ result_code: null, result_desc: null }))).toEqual({
      ok: true,
      value: { resultCode: 0, body: {} },
    });
    expect(parsePropertiesSetResponse(b({ result_code: 'x' })).ok).toBe(false);
    const get = parsePropertiesGetResponse(
      b({ services: [{ service_id: 'S', properties: { x: 1 }, event_time: null }] }),
    );
    expect(get).toMatchObject({ ok: true, value: { resultCode: 0, body: { services: [{ service_id: 'S' }] } } });
    expect(parsePropertiesGetResponse(b({ services: [] })).ok).toBe(false);
  });

  it('returns errors for random and truncated input, never throws', () => {
    const good = b({ services: [{ service_id: 'S', properties: { x: 1 } }] });
    for (let i = 0; i < 2000; i++) {
      const random = Buffer.from(
        Array.from({ length: Math.floor(Math.random() * 50) }, () => Math.floor(Math.random() * 256)),
      );
      const cut = good.subarray(0, Math.floor(Math.random() * good.length));
      for (const parse of [parseLegacyJson, parsePropertiesReport, parseGatewayReport]) {
        expect(parse(random).ok).toBe(false);
        expect(() => parse(cut)).not.toThrow();
      }
      for (const parse of [parseCommandResponse, parsePropertiesSetResponse, parsePropertiesGetResponse]) {
        expect(() => parse(random)).not.toThrow();
        expect(() => parse(cut)).not.toThrow();
      }
    }
  });
});
