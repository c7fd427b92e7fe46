// The $sub_device_manager requests a gateway sends (§3.3), parsed from an event's paras.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSubDeviceRequest } from '../../../../core/gateways/sub-device-events.js';

describe('sub-device manager requests', () => {
  it('parses add, delete, status and sync', () => {
    expect(
      parseSubDeviceRequest('add_sub_device_request', {
        devices: [{ node_id: 'n1', product_id: 'p', name: 'N1', description: null, extension_info: { a: 1 } }],
      }),
    ).toEqual({
      ok: true,
      value: { kind: 'add', devices: [{ nodeId: 'n1', productId: 'p', name: 'N1', extensionInfo: { a: 1 } }] },
    });
    expect(parseSubDeviceRequest('delete_sub_device_request', { devices: ['a', 'b'] })).toEqual({
      ok: true,
      value: { kind: 'delete', deviceIds: ['a', 'b'] },
    });
    expect(
      parseSubDeviceRequest('sub_device_update_status', { device_statuses: [{ device_id: 'a', status: 'online' }] }),
    ).toEqual({ ok: true, value: { kind: 'status', statuses: [{ deviceId: 'a', status: 'ONLINE' }] } });
    expect(parseSubDeviceRequest('sub_device_sync_request', {})).toEqual({ ok: true, value: { kind: 'sync' } });
  });

  it('ignores event types the platform sends or does not know', () => {
    expect(parseSubDeviceRequest('add_sub_device_notify', {})).toBeUndefined();
    expect(parseSubDeviceRequest('something_else', {})).toBeUndefined();
  });

  it('refuses bad paras with the field at fault', () => {
    expect(parseSubDeviceRequest('add_sub_device_request', { devices: [{ node_id: 'n' }] })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD', message: expect.stringContaining('devices.0.product_id') as string },
    });
    expect(
      parseSubDeviceRequest('sub_device_update_status', { device_statuses: [{ device_id: 'a', status: 'SLEEPING' }] }),
    ).toMatchObject({ ok: false });
  });

  it('never throws on random paras', () => {
    const types = [
      'add_sub_device_request',
      'delete_sub_device_request',
      'sub_device_update_status',
      'sub_device_sync_request',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.dictionary(fc.string(), fc.jsonValue()), (type, paras) => {
        expect(typeof parseSubDeviceRequest(type, paras)?.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
