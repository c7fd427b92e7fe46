// A virtual MQTT device's `$ota` side on its own page: connected, the versions it reports, the download it holds, its
// upgrade faults — and the form that sets them for it or for a share of its simulation.
import { Card, Group, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MqttSimDevice, MqttSimulation, SimOtaFaults } from '../../../core/contract/index.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { OtaFaultsForm } from '../upgrades/OtaFaultsForm.js';
import { useSetMqttSimOtaFaults } from './simulatorQueries.js';

/** Device n (from 1) of a simulation: the platform's deviceId `<productId>_<nodeId>`, nodeId `<prefix><n>`. */
const simulatedDeviceId = (s: MqttSimulation, n: number) => `${s.productId}_${s.nodeIdPrefix}${n}`;

function faultNames(faults: SimOtaFaults, t: (key: string) => string): string {
  const names: string[] = [];
  for (const key of ['alreadyLatest', 'busy', 'lowBattery', 'checkFailed', 'installFailed'] as const)
    if (faults[key]) names.push(t(`upgrades.faults.${key}`));
  if (faults.dropShard !== undefined) names.push(`${t('upgrades.faults.dropShard')} ${faults.dropShard}`);
  if (faults.offlineAtShard !== undefined)
    names.push(`${t('upgrades.faults.offlineAtShard')} ${faults.offlineAtShard}`);
  return names.join(', ');
}

export function VirtualMqttDeviceCard({
  device,
  simulation,
}: {
  device: MqttSimDevice;
  simulation: MqttSimulation | undefined;
}) {
  const { t } = useTranslation();
  const setFaults = useSetMqttSimOtaFaults();
  const fleetSize = simulation?.devices ?? 1;
  const faults = faultNames(device.otaFaults, t);
  return (
    <Card withBorder padding="md" data-testid="virtual-mqtt-device">
      <Group justify="space-between" mb={4}>
        <Title order={3} size="h5">
          {t('devices.simulator.virtual.title')}
        </Title>
        <StatusBadge tone={device.connected ? 'ok' : 'neutral'}>
          {t(device.connected ? 'devices.simulator.virtual.connected' : 'devices.simulator.virtual.offline')}
        </StatusBadge>
      </Group>
      <Text size="xs" c="dimmed" mb="sm" data-testid="virtual-mqtt-device-state">
        {t('devices.simulator.virtual.state', {
          fw: device.firmwareVersion ?? '—',
          sw: device.softwareVersion ?? '—',
          held: device.bytesHeld,
        })}{' '}
        {faults ? t('devices.simulator.virtual.faults', { faults }) : t('devices.simulator.virtual.noFaults')}
      </Text>
      <OtaFaultsForm
        device="mqtt"
        fleetSize={fleetSize}
        onSubmit={(f, target) =>
          setFaults.mutateAsync({
            faults: f,
            deviceIds:
              target.kind === 'device' || !simulation
                ? [device.deviceId]
                : Array.from({ length: target.range.count }, (_, i) =>
                    simulatedDeviceId(simulation, target.range.first + i + 1),
                  ),
          })
        }
      />
    </Card>
  );
}
