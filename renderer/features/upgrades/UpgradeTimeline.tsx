// One device's upgrade timeline: every step with its time, what happened, and a link to the frames behind it in
// the traffic view (filtered on the PCP message and shard, the LwM2M path or the `$ota` event the line names).
import { Anchor, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { OtaSubTask } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useUpgradeTimeline } from './upgradeQueries.js';
import { timelineFramesFilter } from './upgradeView.js';

export function UpgradeTimeline({ sub }: { sub: Pick<OtaSubTask, 'subTaskId' | 'deviceId' | 'method'> }) {
  const { t } = useTranslation();
  const timeline = useUpgradeTimeline(sub.subTaskId);
  if (timeline.isPending) return <LoadingState />;
  if (timeline.isError) return <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />;
  if (timeline.data.entries.length === 0) return <EmptyState title={t('upgrades.timeline.empty')} />;
  return (
    <Table data-testid="upgrade-timeline-entries">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('upgrades.timeline.at')}</Table.Th>
          <Table.Th>{t('upgrades.timeline.step')}</Table.Th>
          <Table.Th>{t('upgrades.timeline.what')}</Table.Th>
          <Table.Th>{t('upgrades.timeline.frames')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {timeline.data.entries.map((e, i) => {
          const filter = timelineFramesFilter(e, sub);
          return (
            <Table.Tr key={i} data-testid="upgrade-timeline-entry">
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="xs">{formatDateTime(e.at)}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="xs">{t(`upgrades.step.${e.step}`)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" style={{ wordBreak: 'break-word' }}>
                  {e.text}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {filter && (
                  <Anchor
                    component={Link}
                    size="xs"
                    to={`/traffic?filter=${encodeURIComponent(filter)}`}
                    title={filter}
                    data-testid="upgrade-timeline-frames"
                  >
                    {t('upgrades.devices.showFrames')}
                  </Anchor>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
