// The simulator side of an LwM2M device: a simulated meter's state and counters, notify now, coverage on/off;
// upgrade faults for it or a share of its fleet; for a real device, start simulated meters of its product; running
// fleets of the product with stop.
import {
  Accordion,
  Button,
  Card,
  Group,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SimDevice, SimFleet } from '../../../core/contract/index.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { OtaFaultsForm } from '../upgrades/OtaFaultsForm.js';
import {
  useSetSimOtaFaults,
  useSimCoverage,
  useSimDevice,
  useSimFleets,
  useSimNotify,
  useStartFleet,
  useStopFleet,
} from './lwm2mQueries.js';
import { formatDateTime } from '../../app/i18n.js';

const stateTone: Record<SimDevice['state'], StatusTone> = {
  registered: 'ok',
  registering: 'busy',
  rebooting: 'busy',
  'no-coverage': 'warning',
  failed: 'error',
  stopped: 'neutral',
};

/** Upgrade faults for this simulated device, or for a share of its fleet from a position on. */
function UpgradeFaults({ device, fleet }: { device: SimDevice; fleet: SimFleet | undefined }) {
  const setFaults = useSetSimOtaFaults();
  const fleetIds = fleet?.devices.map((d) => d.deviceId) ?? [device.deviceId];
  return (
    <OtaFaultsForm
      fleetSize={fleetIds.length}
      onSubmit={(faults, target) =>
        setFaults.mutateAsync({
          faults,
          deviceIds:
            target.kind === 'device'
              ? [device.deviceId]
              : fleetIds.slice(target.range.first, target.range.first + target.range.count),
        })
      }
    />
  );
}

function SimulatedDeviceControls({ device, fleet }: { device: SimDevice; fleet: SimFleet | undefined }) {
  const { t } = useTranslation();
  const [hex, setHex] = useState('');
  const notify = useSimNotify(device.deviceId);
  const coverage = useSimCoverage(device.deviceId);
  const hexOk = hex === '' || /^([0-9a-fA-F]{2})+$/.test(hex.replace(/\s/g, ''));
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <StatusBadge tone={stateTone[device.state]} data-testid="sim-state">
          {t(`lwm2m.simulator.states.${device.state}`)}
        </StatusBadge>
        <Text size="xs" c="dimmed">
          {t('lwm2m.simulator.counters', {
            uplinks: device.uplinks,
            downlinks: device.downlinks,
            reboots: device.reboots,
            registrations: device.registrations,
          })}
        </Text>
      </Group>
      <Text size="xs" c="dimmed" data-testid="sim-versions">
        {t('lwm2m.simulator.versions', {
          firmware: device.firmwareVersion ?? '-',
          software: device.softwareVersion ?? '-',
        })}
        {device.shardsHeld !== undefined && device.shardsHeld > 0
          ? ` · ${t('lwm2m.simulator.shardsHeld', { count: device.shardsHeld })}`
          : ''}
      </Text>
      {device.error && (
        <Text size="xs" c="red">
          {device.error}
        </Text>
      )}
      <Switch
        label={t('lwm2m.simulator.coverage')}
        description={t('lwm2m.simulator.coverageHint')}
        checked={device.state !== 'no-coverage'}
        disabled={coverage.isPending || device.state === 'rebooting' || device.state === 'stopped'}
        onChange={(e) => coverage.mutate(e.currentTarget.checked)}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (hexOk) notify.mutate(hex.replace(/\s/g, '') || undefined);
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            label={t('lwm2m.simulator.frame')}
            placeholder={t('lwm2m.simulator.framePlaceholder')}
            value={hex}
            onChange={(e) => setHex(e.currentTarget.value)}
            error={hexOk ? undefined : t('lwm2m.simulator.badHex')}
            ff="monospace"
          />
          <Button size="xs" type="submit" loading={notify.isPending} disabled={!hexOk}>
            {t('lwm2m.simulator.notify')}
          </Button>
        </Group>
      </form>
      {notify.data && (
        <Text size="xs" c="dimmed" ff="monospace">
          {t('lwm2m.simulator.sent', { hex: notify.data.hex })}
        </Text>
      )}
      <Accordion variant="contained" chevronPosition="left">
        <Accordion.Item value="faults">
          <Accordion.Control data-testid="sim-ota-faults-toggle">
            <Text size="sm">{t('lwm2m.simulator.otaFaults')}</Text>
          </Accordion.Control>
          <Accordion.Panel>
            <UpgradeFaults device={device} fleet={fleet} />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}

function StartFleetForm({ productId, nodeId, simulated }: { productId: string; nodeId: string; simulated: boolean }) {
  const { t } = useTranslation();
  const start = useStartFleet();
  const [count, setCount] = useState<number>(5);
  const [interval, setInterval] = useState<number>(60);
  return (
    <Stack gap="xs">
      {!simulated && (
        <Group justify="space-between">
          <Text size="sm">{t('lwm2m.simulator.realDevice')}</Text>
          <Button
            size="xs"
            variant="light"
            loading={start.isPending && start.variables.nodeIds !== undefined}
            onClick={() => start.mutate({ productId, nodeIds: [nodeId], intervalS: interval })}
          >
            {t('lwm2m.simulator.simulateThis')}
          </Button>
        </Group>
      )}
      <Text size="xs" c="dimmed">
        {t('lwm2m.simulator.moreHint')}
      </Text>
      <Group align="flex-end" gap="xs">
        <NumberInput
          size="xs"
          w={90}
          label={t('lwm2m.simulator.count')}
          min={1}
          max={2000}
          value={count}
          onChange={(v) => setCount(typeof v === 'number' ? v : 1)}
        />
        <NumberInput
          size="xs"
          w={130}
          label={t('lwm2m.simulator.interval')}
          min={0}
          max={86400}
          value={interval}
          onChange={(v) => setInterval(typeof v === 'number' ? v : 0)}
        />
        <Button
          size="xs"
          variant="default"
          loading={start.isPending && start.variables.nodeIds === undefined}
          onClick={() => start.mutate({ productId, count, intervalS: interval })}
        >
          {t('lwm2m.simulator.startMore')}
        </Button>
      </Group>
      {start.data && (
        <Text size="xs" c="teal">
          {t('lwm2m.simulator.started', { count: start.data.devices.length })}
        </Text>
      )}
    </Stack>
  );
}

export function SimulatorCard({
  deviceId,
  productId,
  nodeId,
}: {
  deviceId: string;
  productId: string;
  nodeId: string;
}) {
  const { t } = useTranslation();
  const sim = useSimDevice(deviceId);
  const fleets = useSimFleets();
  const stop = useStopFleet();
  const ofProduct = (fleets.data?.fleets ?? []).filter((f) => f.productId === productId);
  const fleet = ofProduct.find((f) => f.devices.some((d) => d.deviceId === deviceId));
  return (
    <Card withBorder padding="md" data-testid="lwm2m-simulator">
      <Title order={3} size="h5" mb="sm">
        {t('lwm2m.simulator.title')}
      </Title>
      <Stack gap="md">
        {sim.data && <SimulatedDeviceControls device={sim.data} fleet={fleet} />}
        <StartFleetForm productId={productId} nodeId={nodeId} simulated={Boolean(sim.data)} />
        {ofProduct.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('lwm2m.simulator.fleet')}</Table.Th>
                <Table.Th>{t('lwm2m.simulator.devices')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ofProduct.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td>
                    <Text size="xs">{formatDateTime(f.startedAt)}</Text>
                    <Text size="xs" c="dimmed">
                      {f.intervalS > 0
                        ? t('lwm2m.simulator.every', { seconds: Number(f.intervalS.toFixed(2)) })
                        : t('lwm2m.simulator.manual')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {t('lwm2m.simulator.registeredOf', {
                      registered: f.devices.filter((d) => d.state === 'registered').length,
                      count: f.devices.length,
                    })}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="red"
                      loading={stop.isPending && stop.variables === f.id}
                      onClick={() => stop.mutate(f.id)}
                    >
                      {t('lwm2m.simulator.stop')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
