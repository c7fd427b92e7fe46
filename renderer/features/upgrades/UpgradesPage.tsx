// The "Upgrades" page: create a task, the list of tasks, and a task's live view — counts by state, the per-cell
// concurrency (cell, level, running / limit), the per-device table with step and reason, stop and retry failed.
import {
  Anchor,
  Button,
  Card,
  Drawer,
  Group,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { OtaSubTask, OtaTask } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { CreateUpgradeCard } from './CreateUpgradeCard.js';
import {
  useUpgradeActions,
  useUpgradeCells,
  useUpgradeDevices,
  useUpgradeEvents,
  useUpgradeTasks,
  useUpgradeTimeline,
} from './upgradeQueries.js';

const tone: Record<string, StatusTone> = {
  waiting: 'neutral',
  running: 'busy',
  success: 'ok',
  fail: 'error',
  stopped: 'warning',
};

/** Colours of a device's state in the table (a badge would be cut in a narrow column). */
const statusColor: Record<OtaSubTask['status'], string> = {
  waiting: 'dimmed',
  running: 'blue',
  success: 'teal',
  fail: 'red',
  stopped: 'yellow.8',
};

/** The device's frames in the traffic view: PCP only for a SOTA device over object 19. */
function trafficFilter(sub: OtaSubTask): string {
  const device = `device == "${sub.deviceId}"`;
  return sub.method === 'pcp-sota' ? `${device} && pcp.valid == true` : device;
}

function Timeline({ sub, onClose }: { sub: OtaSubTask | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const timeline = useUpgradeTimeline(sub?.subTaskId);
  return (
    <Drawer
      opened={sub !== undefined}
      onClose={onClose}
      position="right"
      size="lg"
      title={t('upgrades.timeline.title')}
    >
      {sub && (
        <Stack gap="xs" data-testid="upgrade-timeline">
          <Text size="sm" ff="monospace">
            {sub.deviceId}
          </Text>
          {timeline.isPending && <LoadingState />}
          {timeline.error && <ErrorState error={timeline.error} />}
          <Table>
            <Table.Tbody>
              {timeline.data?.entries.map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                  <Table.Td>{t(`upgrades.step.${e.step}`)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {e.text}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Drawer>
  );
}

function TaskView({ task }: { task: OtaTask }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'all' | OtaSubTask['status']>('all');
  const [open, setOpen] = useState<OtaSubTask | undefined>();
  const devices = useUpgradeDevices(task.taskId);
  const cells = useUpgradeCells(task.taskId);
  const { stop, retry } = useUpgradeActions();
  const c = task.counts;
  const shown = (devices.data?.items ?? []).filter((s) => status === 'all' || s.status === status);
  const isOpen = task.status === 'waiting' || task.status === 'running';
  return (
    <Card withBorder data-testid="upgrade-task">
      <Stack gap="sm">
        <Group justify="space-between">
          <div>
            <Title order={4}>{task.name}</Title>
            <Text size="sm" c="dimmed">
              {t('upgrades.task.summary', { version: task.targetVersion, kind: t(`upgrades.kind.${task.kind}`) })}
            </Text>
          </div>
          <Group>
            <StatusBadge tone={tone[task.status] ?? 'neutral'} data-testid="upgrade-task-status">
              {t(`upgrades.taskStatus.${task.status}`)}
            </StatusBadge>
            <Button
              variant="default"
              disabled={!isOpen}
              loading={stop.isPending}
              onClick={() => stop.mutate(task.taskId)}
            >
              {t('upgrades.task.stop')}
            </Button>
            <Button
              variant="default"
              disabled={c.fail === 0}
              loading={retry.isPending}
              onClick={() => retry.mutate(task.taskId)}
              data-testid="upgrade-retry"
            >
              {t('upgrades.task.retryFailed')}
            </Button>
          </Group>
        </Group>
        <Group gap="xs" data-testid="upgrade-counts">
          {(['success', 'running', 'waiting', 'fail', 'stopped'] as const).map((k) => (
            <StatusBadge key={k} tone={tone[k] ?? 'neutral'} variant="outline" data-testid={`upgrade-count-${k}`}>
              {t(`upgrades.deviceStatus.${k}`)}: {c[k]}
            </StatusBadge>
          ))}
          <Text size="sm" c="dimmed">
            {t('upgrades.task.total', { count: c.total })}
          </Text>
        </Group>

        <Title order={5}>{t('upgrades.cells.title')}</Title>
        <Text size="xs" c="dimmed">
          {t('upgrades.cells.hint')}
        </Text>
        {cells.data && cells.data.cells.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('upgrades.cells.none')}
          </Text>
        ) : (
          <Table striped data-testid="upgrade-cells">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('upgrades.cells.cell')}</Table.Th>
                <Table.Th>{t('upgrades.cells.level')}</Table.Th>
                <Table.Th>{t('upgrades.cells.running')}</Table.Th>
                <Table.Th>{t('upgrades.cells.waiting')}</Table.Th>
                <Table.Th>{t('upgrades.cells.peak')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {cells.data?.cells.map((cell) => (
                <Table.Tr key={cell.cellId}>
                  <Table.Td ff="monospace">{cell.cellId}</Table.Td>
                  <Table.Td>{t(`upgrades.level.${cell.level}`)}</Table.Td>
                  <Table.Td>
                    {cell.running} / {cell.limit}
                  </Table.Td>
                  <Table.Td>{cell.waiting}</Table.Td>
                  <Table.Td>{cell.peak}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}

        <Group justify="space-between">
          <Title order={5}>{t('upgrades.devices.title')}</Title>
          <SegmentedControl
            size="xs"
            value={status}
            onChange={(v) => setStatus(v)}
            data={(['all', 'success', 'running', 'waiting', 'fail', 'stopped'] as const).map((k) => ({
              value: k,
              label: k === 'all' ? t('upgrades.devices.all') : t(`upgrades.deviceStatus.${k}`),
            }))}
            data-testid="upgrade-status-filter"
          />
        </Group>
        {devices.isPending && <LoadingState />}
        {devices.error && <ErrorState error={devices.error} />}
        <div style={{ maxHeight: 480, overflow: 'auto' }}>
          <Table striped highlightOnHover data-testid="upgrade-devices">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('upgrades.devices.device')}</Table.Th>
                <Table.Th>{t('upgrades.devices.status')}</Table.Th>
                <Table.Th>{t('upgrades.devices.step')}</Table.Th>
                <Table.Th>{t('upgrades.devices.reason')}</Table.Th>
                <Table.Th>{t('upgrades.devices.progress')}</Table.Th>
                <Table.Th>{t('upgrades.devices.frames')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.slice(0, 500).map((s) => (
                <Table.Tr key={s.subTaskId} data-testid="upgrade-device-row" data-status={s.status}>
                  <Table.Td>
                    <Anchor size="xs" ff="monospace" onClick={() => setOpen(s)} style={{ wordBreak: 'break-all' }}>
                      {s.deviceId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm" fw={600} c={statusColor[s.status]}>
                      {t(`upgrades.deviceStatus.${s.status}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`upgrades.step.${s.step}`)}</Table.Td>
                  <Table.Td>
                    {s.reason && (
                      <Text size="sm" fw={500} c={s.status === 'fail' ? 'red' : undefined} data-testid="upgrade-reason">
                        {t(`upgrades.reason.${s.reason}`)}
                      </Text>
                    )}
                    {s.detail && (
                      <Text size="xs" c="dimmed">
                        {s.detail}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td miw={90}>
                    <Progress value={s.progress} size="sm" aria-label={`${s.progress}%`} />
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Anchor component={Link} size="sm" to={`/traffic?filter=${encodeURIComponent(trafficFilter(s))}`}>
                      {t('upgrades.devices.showFrames')}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
        {shown.length > 500 && (
          <Text size="xs" c="dimmed">
            {t('upgrades.devices.firstRows', { count: shown.length })}
          </Text>
        )}
      </Stack>
      <Timeline sub={open} onClose={() => setOpen(undefined)} />
    </Card>
  );
}

export function UpgradesPage() {
  const { t } = useTranslation();
  useUpgradeEvents();
  const tasks = useUpgradeTasks();
  const [selected, setSelected] = useState<string | undefined>();
  const list = tasks.data?.tasks ?? [];
  const task = list.find((x) => x.taskId === selected) ?? list[0];
  return (
    <Stack gap="md" p="md">
      <div>
        <Title order={2}>{t('upgrades.title')}</Title>
        <Text c="dimmed">{t('upgrades.description')}</Text>
      </div>
      <CreateUpgradeCard onCreated={(created) => setSelected(created.taskId)} />
      <Card withBorder>
        <Title order={4} mb="sm">
          {t('upgrades.tasks.title')}
        </Title>
        {tasks.isPending && <LoadingState />}
        {tasks.error && <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />}
        {tasks.data && list.length === 0 && <EmptyState title={t('upgrades.tasks.empty')} />}
        {list.length > 0 && (
          <Table highlightOnHover data-testid="upgrade-tasks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('upgrades.tasks.name')}</Table.Th>
                <Table.Th>{t('upgrades.tasks.status')}</Table.Th>
                <Table.Th>{t('upgrades.tasks.progress')}</Table.Th>
                <Table.Th>{t('upgrades.tasks.created')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((x) => (
                <Table.Tr
                  key={x.taskId}
                  onClick={() => setSelected(x.taskId)}
                  style={{ cursor: 'pointer' }}
                  bg={x.taskId === task?.taskId ? 'var(--mantine-color-blue-light)' : undefined}
                >
                  <Table.Td>{x.name}</Table.Td>
                  <Table.Td>
                    <StatusBadge tone={tone[x.status] ?? 'neutral'}>{t(`upgrades.taskStatus.${x.status}`)}</StatusBadge>
                  </Table.Td>
                  <Table.Td>
                    {t('upgrades.tasks.doneOf', {
                      done: x.counts.success,
                      total: x.counts.total,
                      failed: x.counts.fail,
                    })}
                  </Table.Td>
                  <Table.Td>{formatDateTime(x.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      {task && <TaskView task={task} />}
    </Stack>
  );
}
