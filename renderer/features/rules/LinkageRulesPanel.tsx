// The Linkage rules tab: each rule as its sentence with an enabled switch, edit and delete; recent firings below.
import { ActionIcon, Badge, Button, Card, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LinkageRule, RuleActionResult } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { LinkageRuleModal } from './LinkageRuleModal.js';
import { useDeleteLinkageRule, useEnableLinkageRule, useLinkageRules, useRuleFirings } from './ruleQueries.js';
import { reasonSentence, ruleSentence, type NameOf } from './ruleSentence.js';
import { useRuleNames } from './useRuleNames.js';

function ResultBadge({ result }: { result: RuleActionResult }) {
  const { t } = useTranslation();
  const label = t(`rules.firings.result.${result.type}`);
  return (
    <Badge
      variant="light"
      color={result.exception ? 'red' : 'teal'}
      title={result.exception ?? JSON.stringify(result.result)}
      data-testid="action-result"
    >
      {result.exception ? t('rules.firings.failed', { action: label, reason: result.exception }) : label}
    </Badge>
  );
}

function FiringsTable({ nameOf }: { nameOf: NameOf }) {
  const { t } = useTranslation();
  const firings = useRuleFirings();
  if (firings.isLoading) return <LoadingState />;
  if (firings.error) return <ErrorState error={firings.error} onRetry={() => void firings.refetch()} />;
  const items = firings.data?.firings ?? [];
  if (items.length === 0)
    return <EmptyState title={t('rules.firings.empty')}>{t('rules.firings.emptyHint')}</EmptyState>;
  return (
    <Table striped verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('rules.firings.time')}</Table.Th>
          <Table.Th>{t('rules.firings.rule')}</Table.Th>
          <Table.Th>{t('rules.firings.reasons')}</Table.Th>
          <Table.Th>{t('rules.firings.results')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((f) => (
          <Table.Tr key={f.firingId} data-testid="firing-row">
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(f.triggerTime)}</Table.Td>
            <Table.Td>{f.ruleName}</Table.Td>
            <Table.Td>
              {f.reasons.map((r, i) => (
                <Text size="sm" key={i}>
                  {reasonSentence(t, r, nameOf, formatDateTime)}
                </Text>
              ))}
            </Table.Td>
            <Table.Td miw={170}>
              <Group gap={4}>
                {f.actionsResults.map((a, i) => (
                  <ResultBadge key={i} result={a} />
                ))}
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function LinkageRulesPanel() {
  const { t } = useTranslation();
  const rules = useLinkageRules();
  const enable = useEnableLinkageRule();
  const remove = useDeleteLinkageRule();
  const names = useRuleNames();
  const [editing, setEditing] = useState<LinkageRule | 'new'>();
  const items = rules.data?.rules ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('rules.linkage.hint')}
        </Text>
        <Button leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
          {t('rules.linkage.new')}
        </Button>
      </Group>
      {rules.isLoading ? (
        <LoadingState />
      ) : rules.error ? (
        <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={t('rules.linkage.empty')}>{t('rules.linkage.emptyHint')}</EmptyState>
      ) : (
        items.map((rule) => (
          <Card withBorder padding="sm" key={rule.ruleId} data-testid="linkage-rule" data-rule-name={rule.name}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Stack gap={2}>
                <Group gap="xs">
                  <Text fw={600}>{rule.name}</Text>
                  {rule.firings > 0 && (
                    <Badge variant="light" size="sm" data-testid="rule-firings">
                      {t('rules.linkage.firings', { count: rule.firings })}
                    </Badge>
                  )}
                </Group>
                <Text size="sm">{ruleSentence(t, rule, names.nameOf)}</Text>
                {rule.lastFiredAt && (
                  <Text size="xs" c="dimmed">
                    {t('rules.linkage.lastFired', { at: formatDateTime(rule.lastFiredAt) })}
                  </Text>
                )}
              </Stack>
              <Group gap="xs" wrap="nowrap">
                <Switch
                  aria-label={t('rules.linkage.enabledFor', { name: rule.name })}
                  label={rule.enabled ? t('rules.linkage.enabled') : t('rules.linkage.disabled')}
                  checked={rule.enabled}
                  onChange={(e) => enable.mutate({ ruleId: rule.ruleId, enabled: e.currentTarget.checked })}
                />
                <ActionIcon
                  variant="subtle"
                  aria-label={t('rules.linkage.edit', { name: rule.name })}
                  onClick={() => setEditing(rule)}
                >
                  <IconPencil size={16} />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('rules.linkage.delete', { name: rule.name })}
                  onClick={() => remove.mutate(rule.ruleId)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            </Group>
          </Card>
        ))
      )}
      <Title order={3} size="h5" mt="md">
        {t('rules.firings.title')}
      </Title>
      <FiringsTable nameOf={names.nameOf} />
      {editing && (
        <LinkageRuleModal {...(editing === 'new' ? {} : { rule: editing })} onClose={() => setEditing(undefined)} />
      )}
    </Stack>
  );
}
