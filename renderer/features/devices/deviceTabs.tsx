// Protocol- or feature-specific tabs of the device page. A capability mounts its panel by adding one entry here
// (e.g. `{ value: 'lwm2m', labelKey: 'lwm2m.tab', appliesTo: (d) => d.protocolType === 'LWM2M', Panel: Lwm2mPanel }`).
import type { ComponentType } from 'react';
import type { Device } from '../../../core/contract/index.js';
import { SimulatorPanel } from './SimulatorPanel.js';
import { isLwm2mDevice, Lwm2mDevicePanel } from '../lwm2m/Lwm2mDevicePanel.js';
import { CommandsPanel } from '../commands/CommandsPanel.js';
import { ConfigPanel } from '../config/ConfigPanel.js';
import { ShadowPanel } from '../shadow/ShadowPanel.js';
import { GatewayPanel, isGateway } from '../gateways/GatewayPanel.js';
import { DeviceUpgradesPanel } from '../upgrades/DeviceUpgradesPanel.js';

export interface DeviceTab {
  /** URL value of `?tab=`; unique among the tabs. */
  value: string;
  /** i18n key of the tab label. */
  labelKey: string;
  /** Whether the tab shows for this device (default: always). */
  appliesTo?: (device: Device) => boolean;
  Panel: ComponentType<{ device: Device }>;
}

export const extraDeviceTabs: readonly DeviceTab[] = [
  { value: 'commands', labelKey: 'commands.tab', Panel: CommandsPanel },
  { value: 'shadow', labelKey: 'shadow.tab', Panel: ShadowPanel },
  { value: 'config', labelKey: 'config.tab', Panel: ConfigPanel },
  { value: 'lwm2m', labelKey: 'lwm2m.tab', appliesTo: isLwm2mDevice, Panel: Lwm2mDevicePanel },
  {
    value: 'simulator',
    labelKey: 'devices.tabs.simulator',
    // A sub-device is simulated by its gateway, not on its own.
    appliesTo: (d) => d.protocolType === 'MQTT' && d.gatewayId === undefined,
    Panel: SimulatorPanel,
  },
  { value: 'gateway', labelKey: 'gateways.tab', appliesTo: isGateway, Panel: GatewayPanel },
  { value: 'upgrades', labelKey: 'upgrades.tab', Panel: DeviceUpgradesPanel },
];
