// The "Upgrades" page: create a task, the list of tasks, and a task's live view — counts by state, the policy, the
// per-cell concurrency (cell, level, running / limit), the per-device table with step, reason, versions, times and
// app confirm, stop, retry failed, delete.
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
import { Link, useSearchParams } from 'react-router';
import type { OtaSubTask, OtaTask } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { ConfirmUpgradeButton } from './ConfirmUpgradeButton.js';
import { CreateUpgradeCard } from './CreateUpgradeCard.js';
import { StopTaskButton } from './StopTaskButton.js';
import { TaskPolicySummary } from './TaskPolicySummary.js';
import { UpgradeTimeline } from './UpgradeTimeline.js';
import {
  useUpgradeActions,
  useUpgradeCells,
  useUpgradeDevices,
  useUpgradeEvents,
  useUpgradeTasks,
} from './upgradeQueries.js';
import { statusTone as tone, subStatusColor as statusColor } from './upgradeStatus.js';
import { awaitsConfirm, deviceFramesFilter } from './upgradeView.js';

function Timeline({ sub, onClose }: { sub: OtaSubTask | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer
      opened={sub !== undefined}
      onClose={onClose}
      position="right"
      size="xl"
      title={t('upgrades.timeline.title')}
    >
      {sub && (
        <Stack gap="xs" data-testid="upgrade-timeline">
          <Group justify="space-between">
            <Text size="sm" ff="monospace">
              {sub.deviceId}
            </Text>
            <Anchor component={Link} size="sm" to={`/devices/${encodeURIComponent(sub.deviceId)}?tab=upgrades`}>
              {t('upgrades.timeline.deviceHistory')}
            </Anchor>
          </Group>
          <UpgradeTimeline sub={sub} />
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
  const { retry, remove, confirmAll } = useUpgradeActions();
  const c = task.counts;
  const all = devices.data?.items ?? [];
  const shown = all.filter((s) => status === 'all' || s.status === status);
  const toConfirm = all.filter(awaitsConfirm);
  return (
    <Card withBorder data-testid="upgrade-task">
      <Stack gap="sm">
        <Group justify="space-between">
          <div>
            <Title order={4}>{task.name}</Title>
            <Text size="sm" c="dimmed">
              {t('upgrades.task.summary', {
                version: task.targetVersion,
                kind: t(`upgrades.kind.${task.kind}`),
                packageName: task.packageName,
              })}
            </Text>
            <TaskPolicySummary task={task} />
          </div>
          <Group>
            <StatusBadge tone={tone[task.status] ?? 'neutral'} data-testid="upgrade-task-status">
              {t(`upgrades.taskStatus.${task.status}`)}
            </StatusBadge>
            <StopTaskButton task={task} />
            <Button
              variant="default"
              disabled={c.fail === 0}
              loading={retry.isPending}
              onClick={() => retry.mutate(task.taskId)}
              data-testid="upgrade-retry"
            >
              {t('upgrades.task.retryFailed')}
            </Button>
            <Button
              variant="subtle"
              color="red"
              disabled={task.status === 'running'}
              title={task.status === 'running' ? t('upgrades.task.deleteRunning') : undefined}
              loading={remove.isPending}
              onClick={() => remove.mutate(task.taskId)}
              data-testid="upgrade-delete"
            >
              {t('upgrades.task.delete')}
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
                <Table.Tr key={cell.cellId} data-testid="upgrade-cell-row">
                  <Table.Td ff="monospace">{cell.cellId}</Table.Td>
                  <Table.Td>{t(`upgrades.level.${cell.level}`)}</Table.Td>
                  <Table.Td>
                    <Text
                      size="sm"
                      fw={cell.running >= cell.limit ? 700 : undefined}
                      c={cell.running >= cell.limit ? 'orange.8' : undefined}
                    >
                      {cell.running} / {cell.limit}
                      {cell.running >= cell.limit ? ` · ${t('upgrades.cells.full')}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>{cell.waiting}</Table.Td>
                  <Table.Td>{cell.peak}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}

        {task.appConfirm && (
          <Group
            justify="space-between"
            p="xs"
            bg={toConfirm.length > 0 ? 'var(--mantine-color-yellow-light)' : undefined}
            style={{ borderRadius: 'var(--mantine-radius-sm)' }}
            data-testid="upgrade-confirm-bar"
          >
            <Text size="sm">
              {toConfirm.length > 0
                ? t('upgrades.confirm.waiting', { count: toConfirm.length })
                : t('upgrades.confirm.noneWaiting')}
            </Text>
            <Button
              size="xs"
              disabled={toConfirm.length === 0}
              loading={confirmAll.isPending}
              onClick={() => confirmAll.mutate(toConfirm.map((x) => x.subTaskId))}
              data-testid="upgrade-confirm-all"
            >
              {t('upgrades.confirm.all', { count: toConfirm.length })}
            </Button>
          </Group>
        )}
        {confirmAll.data && confirmAll.data.failed > 0 && (
          <Text size="xs" c="red">
            {t('upgrades.confirm.someFailed', { count: confirmAll.data.failed })}
          </Text>
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
                <Table.Th>{t('upgrades.devices.stepAndReason')}</Table.Th>
                <Table.Th>{t('upgrades.devices.versions')}</Table.Th>
                <Table.Th>{t('upgrades.devices.cell')}</Table.Th>
                <Table.Th>{t('upgrades.devices.progress')}</Table.Th>
                <Table.Th>{t('upgrades.devices.times')}</Table.Th>
                <Table.Th>{t('upgrades.devices.frames')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.slice(0, 500).map((s) => (
                <Table.Tr key={s.subTaskId} data-testid="upgrade-device-row" data-status={s.status}>
                  <Table.Td miw={200} maw={280}>
                    <Anchor
                      size="xs"
                      ff="monospace"
                      onClick={() => setOpen(s)}
                      title={t('upgrades.devices.openTimeline')}
                      style={{ wordBreak: 'break-all' }}
                    >
                      {s.deviceId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Stack gap={4} align="flex-start">
                      <Text size="sm" fw={600} c={statusColor[s.status]}>
                        {t(`upgrades.deviceStatus.${s.status}`)}
                      </Text>
                      {awaitsConfirm(s) && <ConfirmUpgradeButton sub={s} />}
                    </Stack>
                  </Table.Td>
                  <Table.Td miw={170}>
                    <Text size="sm">{t(`upgrades.step.${s.step}`)}</Text>
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
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs" ff="monospace">
                      {s.sourceVersion ?? '?'} → {s.currentVersion ?? task.targetVersion}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {s.cellId !== null && (
                      <Text size="xs" ff="monospace">
                        {s.cellId}
                      </Text>
                    )}
                    {s.coverageLevel !== null && (
                      <Text size="xs" c="dimmed">
                        {t(`upgrades.level.${s.coverageLevel}`)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td miw={90}>
                    <Progress value={s.progress} size="sm" aria-label={`${s.progress}%`} />
                    {s.attempts > 1 && (
                      <Text size="xs" c="dimmed">
                        {t('upgrades.devices.attempt', { count: s.attempts })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs">{s.startedAt ? formatDateTime(s.startedAt) : '—'}</Text>
                    <Text size="xs" c="dimmed">
                      {s.finishedAt ? formatDateTime(s.finishedAt) : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Anchor
                      component={Link}
                      size="sm"
                      to={`/traffic?filter=${encodeURIComponent(deviceFramesFilter(s))}`}
                    >
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
  // `?task=` opens one task (the device page's upgrade history links here).
  const [search] = useSearchParams();
  const [selected, setSelected] = useState<string | undefined>(search.get('task') ?? undefined);
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
