// Which device pages show the Gateway tab: only gateways (nodeType GATEWAY), never plain MQTT devices or sub-devices.
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../../core/contract/index.js';
import { extraDeviceTabs } from '../../../../renderer/features/devices/deviceTabs.js';

const device = (over: Partial<Device>): Device => ({
  deviceId: 'p_n',
  productId: 'p',
  nodeId: 'n',
  protocolType: 'MQTT',
  status: 'online',
  activated: true,
  createdAt: '2026-12-07T09:00:00.000Z',
  updatedAt: '2026-12-07T09:00:00.000Z',
  nodeType: 'ENDPOINT',
  ...over,
});
const gatewayTab = extraDeviceTabs.find((t) => t.value === 'gateway')!;
const shows = (d: Device) => gatewayTab.appliesTo?.(d) ?? true;

describe('the Gateway tab', () => {
  it('shows for a gateway', () => {
    expect(shows(device({ nodeType: 'GATEWAY' }))).toBe(true);
  });

  it('does not show for a directly connected MQTT device that is no gateway', () => {
    expect(shows(device({ nodeType: 'ENDPOINT' }))).toBe(false);
    expect(shows(device({ nodeType: undefined }))).toBe(false);
  });

  it('does not show for a sub-device or an LwM2M device', () => {
    expect(shows(device({ gatewayId: 'g_1' }))).toBe(false);
    expect(shows(device({ protocolType: 'LWM2M' }))).toBe(false);
  });
});
