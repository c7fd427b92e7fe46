// The Alarms tab: alarms raised by rules, filtered by level, state and device; acknowledge and clear.
import { Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { alarmLevels, alarmStates, type AlarmLevel, type AlarmState } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useAlarmAction, useAlarms, type AlarmFilter } from './ruleQueries.js';
import { useRuleNames } from './useRuleNames.js';

const levelColors: Record<AlarmLevel, string> = { critical: 'red', major: 'orange', minor: 'yellow', warning: 'blue' };
const stateColors: Record<AlarmState, string> = { active: 'red', acknowledged: 'yellow', cleared: 'gray' };

export function AlarmsPanel() {
  const { t } = useTranslation();
  const [level, setLevel] = useState<AlarmLevel | null>(null);
  const [state, setState] = useState<AlarmState | null>(null);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const filter: AlarmFilter = {
    ...(level ? { level } : {}),
    ...(state ? { state } : {}),
    ...(deviceId ? { deviceId } : {}),
  };
  const alarms = useAlarms(filter);
  const act = useAlarmAction();
  const names = useRuleNames();
  const items = alarms.data?.alarms ?? [];

  return (
    <Stack>
      <Group gap="xs" align="flex-end">
        <Select
          label={t('rules.alarms.level')}
          placeholder={t('rules.alarms.allLevels')}
          clearable
          w={160}
          data={alarmLevels.map((l) => ({ value: l, label: t(`rules.levels.${l}`) }))}
          value={level}
          onChange={(v) => setLevel(alarmLevels.find((l) => l === v) ?? null)}
        />
        <Select
          label={t('rules.alarms.state')}
          placeholder={t('rules.alarms.allStates')}
          clearable
          w={160}
          data={alarmStates.map((s) => ({ value: s, label: t(`rules.alarms.states.${s}`) }))}
          value={state}
          onChange={(v) => setState(alarmStates.find((s) => s === v) ?? null)}
        />
        <Select
          label={t('rules.alarms.device')}
          placeholder={t('rules.alarms.allDevices')}
          clearable
          searchable
          w={240}
          data={names.options.device}
          value={deviceId}
          onChange={setDeviceId}
        />
      </Group>
      {alarms.isLoading ? (
        <LoadingState />
      ) : alarms.error ? (
        <ErrorState error={alarms.error} onRetry={() => void alarms.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={t('rules.alarms.empty')}>{t('rules.alarms.emptyHint')}</EmptyState>
      ) : (
        <Table striped verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('rules.alarms.level')}</Table.Th>
              <Table.Th>{t('rules.alarms.name')}</Table.Th>
              <Table.Th>{t('rules.alarms.device')}</Table.Th>
              <Table.Th>{t('rules.alarms.first')}</Table.Th>
              <Table.Th>{t('rules.alarms.last')}</Table.Th>
              <Table.Th ta="right">{t('rules.alarms.count')}</Table.Th>
              <Table.Th>{t('rules.alarms.state')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.alarmId} data-testid="alarm-row" data-alarm-state={a.state}>
                <Table.Td>
                  <Badge color={levelColors[a.level]}>{t(`rules.levels.${a.level}`)}</Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {a.name}
                  </Text>
                  {a.content && (
                    <Text size="xs" c="dimmed">
                      {a.content}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{a.deviceId ? names.nameOf('device', a.deviceId) : '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.firstAt)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.lastAt)}</Table.Td>
                <Table.Td ta="right">{a.count}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={stateColors[a.state]} data-testid="alarm-state">
                    {t(`rules.alarms.states.${a.state}`)}
                  </Badge>
                  {a.clearedBy && (
                    <Text size="xs" c="dimmed">
                      {t(`rules.alarms.clearedBy.${a.clearedBy}`)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {a.state === 'active' && (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => act.mutate({ alarmId: a.alarmId, action: 'acknowledge' })}
                      >
                        {t('rules.alarms.acknowledge')}
                      </Button>
                    )}
                    {a.state !== 'cleared' && (
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => act.mutate({ alarmId: a.alarmId, action: 'clear' })}
                      >
                        {t('rules.alarms.clear')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
