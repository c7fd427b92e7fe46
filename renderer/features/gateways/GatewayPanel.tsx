// The gateway tab of a device: its sub-devices with the state the gateway reported, add and delete on the
// platform side (the gateway is told), and DISCOVERY with the pairing window's countdown.
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconRadar, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PAIRING_WINDOW_S, type Device, type GatewayView, type SubDeviceView } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DeviceStatusBadge } from '../devices/DeviceStatusBadge.js';
import { ProductSelect } from '../devices/ProductSelect.js';
import { useDeleteDevice, useRegisterDevice } from '../devices/deviceQueries.js';
import { useNow } from '../devices/useNow.js';
import { useGateway, useStartDiscovery } from './gatewayQueries.js';

/** A gateway is what the platform calls one (§1.5 nodeType GATEWAY): a directly connected device with sub-devices. */
export const isGateway = (d: Device) => d.nodeType === 'GATEWAY' && d.gatewayId === undefined;

export function GatewayPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const gateway = useGateway(device.deviceId);
  if (gateway.isPending) return <LoadingState />;
  if (gateway.isError) return <ErrorState error={gateway.error} onRetry={() => void gateway.refetch()} />;
  const g = gateway.data;
  return (
    <Stack gap="md" data-testid="gateway-panel">
      <GatewayState gateway={g} />
      <Discovery gateway={g} fetchedAt={gateway.dataUpdatedAt} />
      <Card withBorder padding="md">
        <Group justify="space-between" mb="sm">
          <Group gap="xs">
            <Title order={3} size="h5">
              {t('gateways.subDevices')}
            </Title>
            <Badge variant="light">{t('gateways.count', { count: g.subDevices.length })}</Badge>
            <Text size="xs" c="dimmed">
              {t('gateways.version', { version: g.version })}
            </Text>
          </Group>
          <AddSubDevice gatewayId={g.deviceId} />
        </Group>
        {g.subDevices.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('gateways.empty')}
          </Text>
        ) : (
          <SubDeviceTable subDevices={g.subDevices} />
        )}
      </Card>
    </Stack>
  );
}

function GatewayState({ gateway: g }: { gateway: GatewayView }) {
  const { t } = useTranslation();
  const queued =
    g.queuedNotifies > 0 ? (
      <Text size="sm" mt={4} data-testid="gateway-queued">
        {t('gateways.queued', { count: g.queuedNotifies })}
      </Text>
    ) : null;
  if (g.connected)
    return (
      <Alert color="teal" variant="light" data-testid="gateway-state">
        {t('gateways.connected')}
        {queued}
      </Alert>
    );
  return (
    <Alert color="orange" variant="light" data-testid="gateway-state">
      {g.offlineSince ? t('gateways.offlineSince', { time: formatDateTime(g.offlineSince) }) : t('gateways.neverSeen')}
      {queued}
    </Alert>
  );
}

function Discovery({ gateway: g, fetchedAt }: { gateway: GatewayView; fetchedAt: number }) {
  const { t } = useTranslation();
  const start = useStartDiscovery(g.deviceId);
  const now = useNow(1000);
  if (!g.discoverySupported)
    return (
      <Text size="sm" c="dimmed">
        {t('gateways.discovery.unsupported')}
      </Text>
    );
  // The platform said how much was left when it was read; the countdown ticks on from there.
  const left = Math.max(0, g.pairing.remainingS - Math.floor(Math.max(0, now - fetchedAt) / 1000));
  return (
    <Card withBorder padding="md">
      <Group justify="space-between">
        <Stack gap={2}>
          <Text size="sm">{t('gateways.discovery.hint', { seconds: PAIRING_WINDOW_S })}</Text>
          {left > 0 ? (
            <Text size="sm" fw={600} c="teal" data-testid="pairing-countdown">
              {t('gateways.discovery.open', { seconds: left })}
            </Text>
          ) : (
            g.pairing.until && (
              <Text size="sm" c="dimmed" data-testid="pairing-countdown">
                {t('gateways.discovery.closed')}
              </Text>
            )
          )}
        </Stack>
        <Button
          leftSection={<IconRadar size={16} />}
          loading={start.isPending}
          disabled={left > 0}
          onClick={() => start.mutate()}
        >
          {t('gateways.discovery.start')}
        </Button>
      </Group>
      {start.error && (
        <Text size="sm" c="red" mt="xs">
          {start.error.message}
        </Text>
      )}
    </Card>
  );
}

function SubDeviceTable({ subDevices }: { subDevices: SubDeviceView[] }) {
  const { t } = useTranslation();
  return (
    <Table striped data-testid="sub-device-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('gateways.columns.nodeId')}</Table.Th>
          <Table.Th>{t('gateways.columns.name')}</Table.Th>
          <Table.Th>{t('gateways.columns.status')}</Table.Th>
          <Table.Th>{t('gateways.columns.reported')}</Table.Th>
          <Table.Th w={48} />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {subDevices.map((s) => (
          <Table.Tr key={s.device.deviceId}>
            <Table.Td>
              <Anchor
                component={Link}
                to={`/devices/${encodeURIComponent(s.device.deviceId)}`}
                ff="monospace"
                size="sm"
              >
                {s.device.nodeId}
              </Anchor>
            </Table.Td>
            <Table.Td>{s.device.name ?? '–'}</Table.Td>
            <Table.Td>
              <DeviceStatusBadge status={s.device.status} />
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={s.statusReportedAt ? undefined : 'dimmed'}>
                {s.statusReportedAt && s.reportedStatus
                  ? t('gateways.reportedAt', { status: s.reportedStatus, time: formatDateTime(s.statusReportedAt) })
                  : t('gateways.notReported')}
              </Text>
            </Table.Td>
            <Table.Td>
              <DeleteSubDevice device={s.device} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function AddSubDevice({ gatewayId }: { gatewayId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [productId, setProductId] = useState<string | null>(null);
  const [nodeId, setNodeId] = useState('');
  const [name, setName] = useState('');
  const register = useRegisterDevice();
  const close = () => {
    register.reset();
    setNodeId('');
    setName('');
    setOpen(false);
  };
  return (
    <>
      <Button size="xs" variant="default" leftSection={<IconPlus size={14} />} onClick={() => setOpen(true)}>
        {t('gateways.add.open')}
      </Button>
      <Modal opened={open} onClose={close} title={t('gateways.add.title')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!productId) return;
            register.mutate(
              { productId, nodeId: nodeId.trim(), gatewayId, ...(name.trim() ? { name: name.trim() } : {}) },
              { onSuccess: close },
            );
          }}
        >
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              {t('gateways.add.hint')}
            </Text>
            <ProductSelect label={t('gateways.columns.product')} required value={productId} onChange={setProductId} />
            <TextInput
              label={t('gateways.columns.nodeId')}
              required
              value={nodeId}
              onChange={(e) => setNodeId(e.currentTarget.value)}
            />
            <TextInput
              label={t('gateways.columns.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            {register.error && (
              <Text size="sm" c="red">
                {register.error.message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={register.isPending} disabled={!productId || !nodeId.trim()}>
                {t('gateways.add.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function DeleteSubDevice({ device }: { device: Device }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const remove = useDeleteDevice();
  const name = device.name ?? device.nodeId;
  return (
    <>
      <Tooltip label={t('gateways.delete.label', { name })}>
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t('gateways.delete.label', { name })}
          onClick={() => setOpen(true)}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Tooltip>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('gateways.delete.label', { name })}>
        <Stack gap="sm">
          <Text size="sm">{t('gateways.delete.confirm', { name })}</Text>
          <Group justify="flex-end">
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(device.deviceId, { onSuccess: () => setOpen(false) })}
            >
              {t('gateways.delete.submit')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
