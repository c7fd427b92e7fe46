// Virtual devices of this device's product: start N of them reporting at R per second in either dialect, watch
// them connect and report live, stop them (they stay registered, named <prefix><n>). On a virtual device's own page,
// its `$ota` side and the upgrade faults for it or a share of its simulation.
import { Alert, Button, Card, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { simulatorDialects, type Device, type SimulatorDialect } from '../../../core/contract/index.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import {
  useMqttSimDevice,
  useMqttSimulations,
  useStartMqttSimulation,
  useStopMqttSimulation,
} from './simulatorQueries.js';
import { VirtualMqttDeviceCard } from './VirtualMqttDeviceCard.js';

export function SimulatorPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const simulations = useMqttSimulations();
  const start = useStartMqttSimulation();
  const stop = useStopMqttSimulation();
  const [count, setCount] = useState<number | string>(10);
  const [rate, setRate] = useState<number | string>(1);
  const [dialect, setDialect] = useState<SimulatorDialect>('iotda');
  const [prefix, setPrefix] = useState('sim-');
  const virtual = useMqttSimDevice(device.deviceId);
  const mine = (simulations.data?.items ?? []).filter((s) => s.productId === device.productId);

  return (
    <Stack gap="md">
      {virtual.data ? (
        <VirtualMqttDeviceCard
          device={virtual.data}
          simulation={mine.find((s) => s.id === virtual.data?.simulationId)}
        />
      ) : null}
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb={4}>
          {t('devices.simulator.title')}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t('devices.simulator.hint')}
        </Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate({
              productId: device.productId,
              count: Number(count),
              rate: Number(rate),
              dialect,
              nodeIdPrefix: prefix.trim() || 'sim-',
            });
          }}
        >
          <Group align="flex-end" gap="sm" wrap="wrap">
            <NumberInput
              label={t('devices.simulator.count')}
              min={1}
              max={10_000}
              w={130}
              value={count}
              onChange={setCount}
            />
            <NumberInput
              label={t('devices.simulator.rate')}
              description={t('devices.simulator.rateHint')}
              min={0}
              max={100}
              step={0.1}
              decimalScale={2}
              w={170}
              value={rate}
              onChange={setRate}
            />
            <Select
              label={t('devices.simulator.dialect')}
              w={150}
              allowDeselect={false}
              value={dialect}
              onChange={(v) => v && setDialect(v)}
              data={simulatorDialects.map((d) => ({ value: d, label: t(`devices.simulator.dialects.${d}`) }))}
            />
            <TextInput
              label={t('devices.simulator.prefix')}
              w={140}
              value={prefix}
              onChange={(e) => setPrefix(e.currentTarget.value)}
            />
            <Button type="submit" leftSection={<IconPlayerPlay size={16} />} loading={start.isPending}>
              {t('devices.simulator.start')}
            </Button>
          </Group>
        </form>
        {start.error ? (
          <Alert color="red" mt="sm" title={t('devices.simulator.failed')}>
            {start.error.message}
          </Alert>
        ) : null}
      </Card>
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="sm">
          {t('devices.simulator.running')}
        </Title>
        {simulations.isPending ? (
          <LoadingState />
        ) : simulations.isError ? (
          <ErrorState error={simulations.error} onRetry={() => void simulations.refetch()} />
        ) : mine.length === 0 ? (
          <EmptyState title={t('devices.simulator.none')} />
        ) : (
          <Table data-testid="simulations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('devices.simulator.status')}</Table.Th>
                <Table.Th>{t('devices.simulator.dialect')}</Table.Th>
                <Table.Th>{t('devices.simulator.connected')}</Table.Th>
                <Table.Th>{t('devices.simulator.reports')}</Table.Th>
                <Table.Th>{t('devices.simulator.errors')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mine.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{t(`devices.simulator.states.${s.status}`)}</Table.Td>
                  <Table.Td>
                    {t(`devices.simulator.dialects.${s.dialect}`)} · {s.rate}/s
                  </Table.Td>
                  <Table.Td>
                    {s.connected.toLocaleString()} / {s.devices.toLocaleString()}
                  </Table.Td>
                  <Table.Td>{s.reportsSent.toLocaleString()}</Table.Td>
                  <Table.Td title={s.lastError}>{s.errors.toLocaleString()}</Table.Td>
                  <Table.Td>
                    {s.status !== 'stopped' ? (
                      <Button
                        size="compact-sm"
                        variant="default"
                        color="red"
                        leftSection={<IconPlayerStop size={14} />}
                        loading={stop.isPending && stop.variables === s.id}
                        onClick={() => stop.mutate(s.id)}
                      >
                        {t('devices.simulator.stop')}
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
