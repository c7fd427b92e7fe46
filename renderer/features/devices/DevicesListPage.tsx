// Registered devices: counts per status, filters, keyset-paged table (bounded DOM at any fleet size), registration.
import { Anchor, Button, Card, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { deviceStatuses, type DeviceStatus } from '../../../core/contract/index.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DeviceStatusBadge } from './DeviceStatusBadge.js';
import { useDeviceCounts, useDeviceList } from './deviceQueries.js';
import { RegisterDeviceModal } from './RegisterDeviceModal.js';

const PAGE_SIZE = 50;

export function DevicesListPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [status, setStatus] = useState<DeviceStatus | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const [registering, setRegistering] = useState(false);
  const cursor = cursors.at(-1);
  const list = useDeviceList({
    limit: PAGE_SIZE,
    ...(q ? { search: q } : {}),
    ...(status ? { status } : {}),
    ...(cursor ? { cursor } : {}),
  });
  const counts = useDeviceCounts();
  const resetPaging = () => setCursors([]);

  return (
    <Stack gap="md">
      <PageHeader
        title={t('devices.title')}
        description={t('devices.description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setRegistering(true)}>
            {t('devices.register.open')}
          </Button>
        }
      />
      <Group gap="lg" data-testid="device-counts">
        {(['all', ...deviceStatuses] as const).map((s) => (
          <Stack key={s} gap={0}>
            <Text size="xs" c="dimmed">
              {s === 'all' ? t('devices.counts.all') : t(`devices.status.${s}`)}
            </Text>
            <Text fw={600}>{counts.data ? counts.data[s] : '–'}</Text>
          </Stack>
        ))}
      </Group>
      <Card withBorder padding="md">
        <Group mb="sm" gap="sm">
          <TextInput
            placeholder={t('devices.list.search')}
            aria-label={t('devices.list.search')}
            leftSection={<IconSearch size={14} />}
            w={280}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              resetPaging();
            }}
          />
          <Select
            aria-label={t('devices.list.status')}
            placeholder={t('devices.list.anyStatus')}
            clearable
            value={status}
            onChange={(v) => {
              setStatus(v);
              resetPaging();
            }}
            data={deviceStatuses.map((s) => ({ value: s, label: t(`devices.status.${s}`) }))}
          />
        </Group>
        {list.isPending ? (
          <LoadingState />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={t('devices.empty.title')}>{t('devices.empty.hint')}</EmptyState>
        ) : (
          <>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.nodeId')}</Table.Th>
                  <Table.Th>{t('devices.fields.name')}</Table.Th>
                  <Table.Th>{t('devices.fields.status')}</Table.Th>
                  <Table.Th>{t('devices.fields.protocol')}</Table.Th>
                  <Table.Th>{t('devices.fields.lastSeen')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((d) => (
                  <Table.Tr key={d.deviceId}>
                    <Table.Td>
                      <Anchor component={Link} to={`/devices/${encodeURIComponent(d.deviceId)}`} ff="monospace">
                        {d.nodeId}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{d.name ?? ''}</Table.Td>
                    <Table.Td>
                      <DeviceStatusBadge status={d.status} />
                    </Table.Td>
                    <Table.Td>{d.protocolType}</Table.Td>
                    <Table.Td>{d.lastSeenAt ? new Date(d.lastSeenAt).toLocaleString() : '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                {t('devices.list.total', { count: list.data.total })}
              </Text>
              <Group gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  disabled={!cursors.length}
                  onClick={() => setCursors(cursors.slice(0, -1))}
                >
                  {t('devices.list.previous')}
                </Button>
                <Button
                  variant="default"
                  size="xs"
                  disabled={!list.data.nextCursor}
                  onClick={() => list.data.nextCursor && setCursors([...cursors, list.data.nextCursor])}
                >
                  {t('devices.list.next')}
                </Button>
              </Group>
            </Group>
          </>
        )}
      </Card>
      <RegisterDeviceModal opened={registering} onClose={() => setRegistering(false)} />
    </Stack>
  );
}
