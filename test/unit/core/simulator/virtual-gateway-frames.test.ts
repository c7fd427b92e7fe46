// What the virtual gateway publishes, in pages the platform's own parsers accept, and which sub-devices it learns
// from the platform's events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProductModel } from '../../../../core/contract/product-model.js';
import { parseSubDeviceRequest } from '../../../../core/gateways/index.js';
import { parseDeviceEvents, iotdaEventDown } from '../../../../core/protocols/mqtt/device-events.js';
import { parseGatewayReport } from '../../../../core/protocols/mqtt/uplink-payloads.js';
import {
  addSubDeviceRequests,
  batchReports,
  subDeviceChanges,
  subDeviceStatusUpdates,
} from '../../../../core/simulator/mqtt/virtual-gateway-frames.js';

const NOW = Date.UTC(2026, 11, 7);
const model: ProductModel = {
  deviceType: 'StreetLight',
  manufacturerId: 'M',
  manufacturerName: 'M',
  model: 'X',
  protocolType: 'MQTT',
  omCapability: {},
  customTopics: [],
  services: [
    {
      serviceId: 'Light',
      serviceType: 'Light',
      option: 'Master',
      commands: [],
      properties: [{ name: 'brightness', dataType: 'int', required: false, min: 0, max: 100, method: 'R' }],
    },
  ],
};

const firstEvent = (payload: string) => {
  const r = parseDeviceEvents(Buffer.from(payload));
  if (!r.ok) throw new Error(r.error.message);
  const s = r.value.services[0];
  if (!s) throw new Error('no service');
  return parseSubDeviceRequest(s.eventType, s.paras);
};

describe('virtual gateway frames', () => {
  it('adds 250 sub-devices in three requests the platform parses', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `n${i}`);
    const frames = addSubDeviceRequests('gw', 'p', ids, NOW);
    expect(frames.map((f) => f.topic)).toEqual(Array(3).fill('$oc/devices/gw/sys/events/up'));
    const parsed = frames.map((f) => firstEvent(f.payload));
    expect(parsed.map((p) => (p?.ok && p.value.kind === 'add' ? p.value.devices.length : -1))).toEqual([100, 100, 50]);
    const status = subDeviceStatusUpdates('gw', ['a', 'b'], 'OFFLINE', NOW);
    expect(firstEvent(status[0]?.payload ?? '')).toEqual({
      ok: true,
      value: {
        kind: 'status',
        statuses: [
          { deviceId: 'a', status: 'OFFLINE' },
          { deviceId: 'b', status: 'OFFLINE' },
        ],
      },
    });
  });

  it('reports for its sub-devices in batch reports the platform parses', () => {
    const frames = batchReports('gw', ['a', 'b', 'c'], model, () => 0.5, NOW);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.topic).toBe('$oc/devices/gw/sys/gateway/sub_devices/properties/report');
    const r = parseGatewayReport(Buffer.from(frames[0]?.payload ?? ''));
    expect(r.ok && r.value.map((d) => d.deviceId)).toEqual(['a', 'b', 'c']);
  });

  it('learns added and deleted sub-devices from responses and notifies', () => {
    const event = (eventType: string, paras: Record<string, unknown>) =>
      Buffer.from(iotdaEventDown('gw', { serviceId: '$sub_device_manager', eventType, eventTime: 't', paras }).payload);
    expect(subDeviceChanges(event('add_sub_device_response', { successful_devices: [{ device_id: 'a' }] }))).toEqual({
      added: ['a'],
      deleted: [],
    });
    expect(subDeviceChanges(event('delete_sub_device_notify', { devices: [{ device_id: 'b' }] }))).toEqual({
      added: [],
      deleted: ['b'],
    });
  });

  it('ignores garbage from the platform side', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(subDeviceChanges(Buffer.from(bytes))).toEqual({ added: [], deleted: [] });
      }),
      { numRuns: 300 },
    );
  });
});
