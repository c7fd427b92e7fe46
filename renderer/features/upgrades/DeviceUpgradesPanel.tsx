// The device page's "Upgrades" tab: every upgrade of this device (task, package, from → to version, state, step,
// reason, start and end), newest first and live; each entry opens into its timeline with links to the frames.
import { ActionIcon, Anchor, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Device } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { ConfirmUpgradeButton } from './ConfirmUpgradeButton.js';
import { UpgradeTimeline } from './UpgradeTimeline.js';
import { useDeviceUpgradeEvents, useDeviceUpgradeHistory, useUpgradeTasks } from './upgradeQueries.js';
import { subStatusColor } from './upgradeStatus.js';
import { awaitsConfirm, deviceFramesFilter, deviceUpgradeRows } from './upgradeView.js';

const COLUMNS = 9;

export function DeviceUpgradesPanel({ device }: { device: Pick<Device, 'deviceId'> }) {
  const { t } = useTranslation();
  useDeviceUpgradeEvents(device.deviceId);
  const history = useDeviceUpgradeHistory(device.deviceId);
  const tasks = useUpgradeTasks();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const body = () => {
    if (history.isPending) return <LoadingState />;
    if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
    if (history.data.items.length === 0) return <EmptyState title={t('upgrades.history.empty')} />;
    const rows = deviceUpgradeRows(history.data.items, tasks.data?.tasks ?? []);
    return (
      <Table data-testid="device-upgrades">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={32} />
            <Table.Th>{t('upgrades.history.task')}</Table.Th>
            <Table.Th>{t('upgrades.history.versions')}</Table.Th>
            <Table.Th>{t('upgrades.devices.status')}</Table.Th>
            <Table.Th>{t('upgrades.devices.step')}</Table.Th>
            <Table.Th>{t('upgrades.devices.reason')}</Table.Th>
            <Table.Th>{t('upgrades.history.started')}</Table.Th>
            <Table.Th>{t('upgrades.history.ended')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ sub, task, from, to }) => {
            const expanded = open.has(sub.subTaskId);
            return (
              <Fragment key={sub.subTaskId}>
                <Table.Tr
                  data-testid="device-upgrade-row"
                  data-status={sub.status}
                  onClick={() => toggle(sub.subTaskId)}
                  style={{ cursor: 'pointer' }}
                >
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      size="sm"
                      aria-label={t(expanded ? 'upgrades.history.collapse' : 'upgrades.history.expand')}
                      aria-expanded={expanded}
                    >
                      {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                    </ActionIcon>
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      size="sm"
                      to={`/upgrades?task=${encodeURIComponent(sub.taskId)}`}
                      onClick={(e) => e.stopPropagation()}
                    >
                      {task?.name ?? sub.taskId}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {!task
                        ? t('upgrades.history.taskGone')
                        : task.name === task.packageName
                          ? t(`upgrades.kind.${task.kind}`)
                          : `${task.packageName} · ${t(`upgrades.kind.${task.kind}`)}`}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm" ff="monospace" data-testid="device-upgrade-versions">
                      {from ?? '?'} → {to ?? '?'}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm" fw={600} c={subStatusColor[sub.status]}>
                      {t(`upgrades.deviceStatus.${sub.status}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm">{t(`upgrades.step.${sub.step}`)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {sub.reason && (
                      <Text size="sm" c={sub.status === 'fail' ? 'red' : undefined} data-testid="device-upgrade-reason">
                        {t(`upgrades.reason.${sub.reason}`)}
                      </Text>
                    )}
                    {sub.detail && (
                      <Text size="xs" c="dimmed">
                        {sub.detail}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs">{sub.startedAt ? formatDateTime(sub.startedAt) : '—'}</Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs">{sub.finishedAt ? formatDateTime(sub.finishedAt) : '—'}</Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Group gap="xs" wrap="nowrap">
                      {awaitsConfirm(sub) && <ConfirmUpgradeButton sub={sub} />}
                      <Anchor
                        component={Link}
                        size="xs"
                        to={`/traffic?filter=${encodeURIComponent(deviceFramesFilter(sub))}`}
                        onClick={(e) => e.stopPropagation()}
                      >
                        {t('upgrades.devices.showFrames')}
                      </Anchor>
                    </Group>
                  </Table.Td>
                </Table.Tr>
                {expanded && (
                  <Table.Tr>
                    <Table.Td colSpan={COLUMNS} p={0}>
                      <Stack gap={4} p="sm" data-testid="device-upgrade-timeline">
                        <UpgradeTimeline sub={sub} />
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    );
  };

  return (
    <Card withBorder padding="md" data-testid="device-upgrades-panel">
      <Title order={3} size="h5" mb={4}>
        {t('upgrades.history.title')}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('upgrades.history.hint')}
      </Text>
      {body()}
    </Card>
  );
}
