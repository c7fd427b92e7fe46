// The device's status over time: each transition with how long the device stayed in it, newest first,
// ending with its registration (inactive until first contact).
import { Card, Text, Timeline, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Device, DeviceStatus } from '../../../core/contract/index.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DeviceStatusBadge } from './DeviceStatusBadge.js';
import { useStatusHistory } from './deviceQueries.js';
import { durationText } from './durationText.js';
import { useNow } from './useNow.js';
import { formatDateTime } from '../../app/i18n.js';

const bulletColor: Record<DeviceStatus, string> = {
  online: 'teal',
  offline: 'gray',
  inactive: 'blue',
  abnormal: 'red',
};

export function StatusTimeline({ device }: { device: Device }) {
  const { t } = useTranslation();
  const history = useStatusHistory(device.deviceId);
  const now = useNow(15_000);

  if (history.isPending) return <LoadingState />;
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  const items = history.data.items;
  const reachedRegistration = history.data.nextCursor === undefined;
  const entries: { status: DeviceStatus; at: string; key: string }[] = [
    ...items.map((i) => ({ status: i.status, at: i.at, key: String(i.id) })),
    ...(reachedRegistration ? [{ status: 'inactive' as const, at: device.createdAt, key: 'registered' }] : []),
  ];

  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="md">
        {t('devices.timeline.title')}
      </Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed" mb="md">
          {t('devices.timeline.never')}
        </Text>
      ) : null}
      <Timeline active={entries.length - 1} bulletSize={14} lineWidth={2} data-testid="status-timeline">
        {entries.map((e, i) => {
          const until = i === 0 ? now : Date.parse(entries[i - 1]?.at ?? '');
          const lasted = durationText(until - Date.parse(e.at), t);
          return (
            <Timeline.Item key={e.key} color={bulletColor[e.status]} title={<DeviceStatusBadge status={e.status} />}>
              <Text size="sm">
                {e.key === 'registered' ? t('devices.timeline.registered') : t(`devices.timeline.became.${e.status}`)}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)} ·{' '}
                {i === 0
                  ? t('devices.timeline.sinceFor', { duration: lasted })
                  : t('devices.timeline.for', { duration: lasted })}
              </Text>
            </Timeline.Item>
          );
        })}
      </Timeline>
      {!reachedRegistration ? (
        <Text size="xs" c="dimmed" mt="sm">
          {t('devices.timeline.older')}
        </Text>
      ) : null}
    </Card>
  );
}
