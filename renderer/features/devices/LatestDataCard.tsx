// The latest reported value of each property, grouped by service, live.
import { Badge, Button, Card, Group, Table, Text, Title } from '@mantine/core';
import { IconChartLine } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../core/contract/index.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useLatestData } from './deviceQueries.js';
import { valueText } from './valueText.js';
import { formatDateTime } from '../../app/i18n.js';

export function LatestDataCard({ device, onShowHistory }: { device: Device; onShowHistory: () => void }) {
  const { t } = useTranslation();
  const latest = useLatestData(device.deviceId);
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          {t('devices.page.latest')}
        </Title>
        <Button variant="subtle" size="xs" leftSection={<IconChartLine size={14} />} onClick={onShowHistory}>
          {t('devices.page.showHistory')}
        </Button>
      </Group>
      {latest.isPending ? (
        <LoadingState />
      ) : latest.isError ? (
        <ErrorState error={latest.error} onRetry={() => void latest.refetch()} />
      ) : latest.data.services.length === 0 ? (
        <EmptyState title={t('devices.page.noData')}>{t('devices.page.noDataHint')}</EmptyState>
      ) : (
        <Table data-testid="latest-data" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('devices.data.service')}</Table.Th>
              <Table.Th>{t('devices.data.property')}</Table.Th>
              <Table.Th>{t('devices.data.value')}</Table.Th>
              <Table.Th w={200}>{t('devices.data.eventTime')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {latest.data.services.flatMap((s) =>
              Object.entries(s.data).map(([property, value], i) => (
                <Table.Tr key={`${s.serviceId}.${property}`}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {i === 0 ? (
                      <Badge variant="light" tt="none">
                        {s.serviceId}
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{property}</Table.Td>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {valueText(value)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(s.eventTime)}</Text>
                  </Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
