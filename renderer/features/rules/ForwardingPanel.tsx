// The Forwarding tab: targets with their live state (connected, backlog, drops, sent/s, last error) and the
// forwarding rules that feed them.
import { ActionIcon, Badge, Button, Group, Stack, Switch, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ForwardRule, ForwardTarget } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { ForwardRuleModal } from './ForwardRuleModal.js';
import {
  useDeleteForwardRule,
  useDeleteTarget,
  useEnableForwardRule,
  useForwardRules,
  useTargets,
} from './ruleQueries.js';
import type { NameOf } from './ruleSentence.js';
import { TargetModal } from './TargetModal.js';
import { withoutPassword } from './targetDraft.js';
import { useRuleNames } from './useRuleNames.js';

/** Where a target sends to, with what matters about how: topic, QoS, routing, rotation, sign-in, TLS. */
function where(t: TFunction, target: ForwardTarget): string {
  const c = target.config;
  const parts: string[] = [];
  switch (c.kind) {
    case 'http':
      parts.push(withoutPassword(c.url));
      break;
    case 'mqtt':
      parts.push(withoutPassword(c.url), c.topic, `QoS ${c.qos}`);
      if (c.username) parts.push(t('rules.targets.auth', { user: c.username }));
      break;
    case 'amqp':
      parts.push(withoutPassword(c.url), `${c.exchange || t('rules.targets.defaultExchange')} → ${c.routingKey}`);
      if (c.queue) parts.push(c.queue);
      break;
    case 'kafka':
      parts.push(c.brokers.join(', '), c.topic);
      if (c.sasl)
        parts.push(`SASL ${c.sasl.mechanism.toUpperCase()} · ${t('rules.targets.auth', { user: c.sasl.username })}`);
      if (c.tls) parts.push(t('rules.targets.tlsOn'));
      break;
    case 'file':
      parts.push(
        c.dir,
        t('rules.targets.rotation', { mib: Math.round(c.maxBytes / 1048576), minutes: c.maxAgeMinutes }),
      );
      break;
  }
  return parts.join(' · ');
}

function TargetsTable({ targets }: { targets: ForwardTarget[] }) {
  const { t } = useTranslation();
  const remove = useDeleteTarget();
  return (
    <Table striped verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('rules.targets.name')}</Table.Th>
          <Table.Th>{t('rules.targets.where')}</Table.Th>
          <Table.Th>{t('rules.targets.state')}</Table.Th>
          <Table.Th ta="right">{t('rules.targets.sent')}</Table.Th>
          <Table.Th ta="right">{t('rules.targets.rate')}</Table.Th>
          <Table.Th ta="right">{t('rules.targets.backlog')}</Table.Th>
          <Table.Th ta="right">{t('rules.targets.drops')}</Table.Th>
          <Table.Th>{t('rules.targets.lastError')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {targets.map((x) => (
          <Table.Tr key={x.targetId} data-testid="target-row" data-target-name={x.name}>
            <Table.Td>
              <Text size="sm" fw={500}>
                {x.name}
              </Text>
              <Text size="xs" c="dimmed">
                {t(`rules.targets.kinds.${x.config.kind}`)}
              </Text>
            </Table.Td>
            <Table.Td maw={240} style={{ overflowWrap: 'anywhere' }}>
              <Text size="xs">{where(t, x)}</Text>
            </Table.Td>
            <Table.Td>
              <Badge
                color={x.state.connected ? 'teal' : 'red'}
                variant="light"
                data-testid="target-connected"
                style={{ overflow: 'visible' }}
                styles={{ label: { overflow: 'visible' } }}
              >
                {x.state.connected ? t('rules.targets.connected') : t('rules.targets.down')}
              </Badge>
            </Table.Td>
            <Table.Td ta="right" data-testid="target-sent">
              {x.state.sent.toLocaleString()}
            </Table.Td>
            <Table.Td ta="right">{x.state.sentPerSecond.toFixed(1)}</Table.Td>
            <Table.Td ta="right" data-testid="target-backlog" style={{ whiteSpace: 'nowrap' }}>
              {x.state.backlog.toLocaleString()} / {x.maxBacklog.toLocaleString()}
            </Table.Td>
            <Table.Td ta="right">
              <Text size="sm" c={x.state.drops > 0 ? 'red' : undefined}>
                {x.state.drops}
              </Text>
            </Table.Td>
            <Table.Td maw={260} data-testid="target-error">
              {x.state.lastError ? (
                <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
                  {x.state.lastError}
                  {x.state.lastErrorAt ? ` · ${formatDateTime(x.state.lastErrorAt)}` : ''}
                </Text>
              ) : (
                <Text size="xs" c="dimmed">
                  {t('rules.targets.noError')}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('rules.targets.delete', { name: x.name })}
                onClick={() => remove.mutate(x.targetId)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function filterText(t: TFunction, rule: ForwardRule, nameOf: NameOf): string {
  const f = rule.filter;
  const parts: string[] = [];
  if (f.deviceId) parts.push(t('rules.forwarding.filterDevice', { name: nameOf('device', f.deviceId) }));
  if (f.serviceId) parts.push(t('rules.forwarding.filterService', { service: f.serviceId }));
  if (f.property && f.operator) {
    const high = f.operator === 'between' ? ` – ${String(f.value2 ?? '')}` : '';
    parts.push(`${f.property} ${f.operator} ${String(f.value ?? '')}${high}`);
  }
  return parts.length > 0 ? parts.join(' · ') : t('rules.forwarding.everything');
}

interface ForwardRulesTableProps {
  rules: ForwardRule[];
  targets: ForwardTarget[];
  nameOf: NameOf;
}

function ForwardRulesTable({ rules, targets, nameOf }: ForwardRulesTableProps) {
  const { t } = useTranslation();
  const enable = useEnableForwardRule();
  const remove = useDeleteForwardRule();
  const targetName = (id: string) => targets.find((x) => x.targetId === id)?.name ?? id;
  return (
    <Table striped verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('rules.forwarding.name')}</Table.Th>
          <Table.Th>{t('rules.forwarding.source')}</Table.Th>
          <Table.Th>{t('rules.forwarding.filter')}</Table.Th>
          <Table.Th>{t('rules.forwarding.targets')}</Table.Th>
          <Table.Th>{t('rules.linkage.enabled')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rules.map((r) => (
          <Table.Tr key={r.ruleId} data-testid="forward-rule-row">
            <Table.Td>{r.name}</Table.Td>
            <Table.Td>{t(`rules.forwarding.sources.${r.source}`)}</Table.Td>
            <Table.Td>{filterText(t, r, nameOf)}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                {r.targetIds.map((id) => (
                  <Badge key={id} variant="outline" size="sm">
                    {targetName(id)}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={t('rules.linkage.enabledFor', { name: r.name })}
                checked={r.enabled}
                onChange={(e) => enable.mutate({ ruleId: r.ruleId, enabled: e.currentTarget.checked })}
              />
            </Table.Td>
            <Table.Td>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('rules.linkage.delete', { name: r.name })}
                onClick={() => remove.mutate(r.ruleId)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ForwardingPanel() {
  const { t } = useTranslation();
  const targets = useTargets();
  const rules = useForwardRules();
  const names = useRuleNames();
  const [dialog, setDialog] = useState<'target' | 'rule'>();
  const targetList = targets.data?.targets ?? [];
  const ruleList = rules.data?.rules ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3} size="h5">
          {t('rules.targets.title')}
        </Title>
        <Button leftSection={<IconPlus size={14} />} variant="light" onClick={() => setDialog('target')}>
          {t('rules.targets.new')}
        </Button>
      </Group>
      {targets.isLoading ? (
        <LoadingState />
      ) : targets.error ? (
        <ErrorState error={targets.error} onRetry={() => void targets.refetch()} />
      ) : targetList.length === 0 ? (
        <EmptyState title={t('rules.targets.empty')}>{t('rules.targets.emptyHint')}</EmptyState>
      ) : (
        <TargetsTable targets={targetList} />
      )}
      <Group justify="space-between" mt="md">
        <Title order={3} size="h5">
          {t('rules.forwarding.title')}
        </Title>
        <Tooltip label={t('rules.forwarding.needTarget')} disabled={targetList.length > 0}>
          <Button
            leftSection={<IconPlus size={14} />}
            variant="light"
            disabled={targetList.length === 0}
            onClick={() => setDialog('rule')}
          >
            {t('rules.forwarding.new')}
          </Button>
        </Tooltip>
      </Group>
      {rules.isLoading ? (
        <LoadingState />
      ) : rules.error ? (
        <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
      ) : ruleList.length === 0 ? (
        <EmptyState title={t('rules.forwarding.empty')}>{t('rules.forwarding.emptyHint')}</EmptyState>
      ) : (
        <ForwardRulesTable rules={ruleList} targets={targetList} nameOf={names.nameOf} />
      )}
      {dialog === 'target' && <TargetModal onClose={() => setDialog(undefined)} />}
      {dialog === 'rule' && (
        <ForwardRuleModal targets={targetList} devices={names.options.device} onClose={() => setDialog(undefined)} />
      )}
    </Stack>
  );
}
