// Live notifications of observed paths (object 19 frames included), newest first, from a bounded buffer.
import { Badge, Card, Group, ScrollArea, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Lwm2mObservation } from '../../../core/contract/index.js';
import type { LiveNotification } from './liveNotifications.js';
import { formatTimeOfDay } from '../../app/i18n.js';

function summary(n: LiveNotification): string {
  if (n.values?.length) return n.values.map((v) => `${v.name ?? v.path} = ${String(v.value)}`).join(', ');
  return n.payloadHex === '' ? '–' : n.payloadHex.toUpperCase();
}

export function ObservedValues({
  observations,
  notifications,
}: {
  observations: readonly Lwm2mObservation[];
  notifications: readonly LiveNotification[];
}) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md" data-testid="lwm2m-observed">
      <Title order={3} size="h5" mb="xs">
        {t('lwm2m.observed.title')}
      </Title>
      <Group gap={6} mb="sm">
        {observations.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('lwm2m.observed.none')}
          </Text>
        ) : (
          observations.map((o) => (
            <Badge
              key={o.path}
              variant="light"
              color="grape"
              tt="none"
              title={t('lwm2m.observed.count', { count: o.notifications })}
            >
              {o.path} · {o.notifications}
            </Badge>
          ))
        )}
      </Group>
      {notifications.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('lwm2m.observed.waiting')}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={260}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={110}>{t('lwm2m.observed.time')}</Table.Th>
                <Table.Th w={110}>{t('lwm2m.observed.path')}</Table.Th>
                <Table.Th>{t('lwm2m.observed.value')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {notifications.map((n) => (
                <Table.Tr key={n.key}>
                  <Table.Td>{formatTimeOfDay(n.at)}</Table.Td>
                  <Table.Td ff="monospace">{n.path}</Table.Td>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {summary(n)}
                    {n.decodeError && (
                      <Text size="xs" c="red" span ml={6}>
                        {n.decodeError}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Card>
  );
}
