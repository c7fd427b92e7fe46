// Custom MQTT topics of the product: up to 10, `$oc/devices/{device_id}/user/<suffix>`.
import { ActionIcon, Alert, Button, Card, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { CustomTopic } from '../../../core/contract/index.js';
import { EmptyState } from '../../ui/QueryStates.js';
import { DraftSaveBar } from './DraftSaveBar.js';
import type { ProductTabProps } from './productTabs.js';
import { useModelDraft } from './useModelDraft.js';

const MAX_TOPICS = 10;

export function TopicsTab({ product }: ProductTabProps) {
  const { t } = useTranslation();
  const draft = useModelDraft(product);
  const topics = draft.draft.customTopics;
  if (product.model.protocolType !== 'MQTT' && topics.length === 0) {
    return <Alert variant="light">{t('products.topics.mqttOnly')}</Alert>;
  }
  const set = (next: CustomTopic[]) => draft.setDraft((m) => ({ ...m, customTopics: next }));
  const change = (i: number, patch: Partial<CustomTopic>) =>
    set(topics.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  return (
    <Stack gap="md">
      <DraftSaveBar draft={draft} />
      <Card withBorder>
        <Text size="sm" c="dimmed" mb="sm">
          {t('products.topics.hint')} <Code>{'$oc/devices/{device_id}/user/<suffix>'}</Code>
        </Text>
        {topics.length === 0 ? (
          <EmptyState title={t('products.topics.none')} />
        ) : (
          <Table aria-label={t('products.tabs.topics')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('products.topics.suffix')}</Table.Th>
                <Table.Th w={170}>{t('products.topics.permission')}</Table.Th>
                <Table.Th>{t('products.field.description')}</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {topics.map((topic, i) => {
                const issue = draft.issuesUnder(`customTopics[${i}]`).find((x) => x.severity === 'error');
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      <TextInput
                        ff="monospace"
                        aria-label={t('products.topics.suffix')}
                        value={topic.suffix}
                        readOnly={draft.locked}
                        onChange={(e) => change(i, { suffix: e.currentTarget.value })}
                        error={issue?.message}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t('products.topics.permission')}
                        data={['publish', 'subscribe', 'both'].map((p) => ({
                          value: p,
                          label: t(`products.topics.permissions.${p}`),
                        }))}
                        value={topic.permission}
                        readOnly={draft.locked}
                        onChange={(v) => v && change(i, { permission: v as CustomTopic['permission'] })}
                        allowDeselect={false}
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        aria-label={t('products.field.description')}
                        value={topic.description ?? ''}
                        readOnly={draft.locked}
                        onChange={(e) => change(i, { description: e.currentTarget.value || undefined })}
                      />
                    </Table.Td>
                    <Table.Td>
                      {!draft.locked && (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={t('products.common.remove')}
                          onClick={() => set(topics.filter((_, j) => j !== i))}
                        >
                          <IconTrash size={14} />
                        </ActionIcon>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        {!draft.locked && (
          <Group mt="sm">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} />}
              disabled={topics.length >= MAX_TOPICS}
              onClick={() => set([...topics, { suffix: `topic${topics.length + 1}`, permission: 'publish' }])}
            >
              {t('products.topics.add', { max: MAX_TOPICS })}
            </Button>
          </Group>
        )}
        {draft
          .issuesUnder('customTopics')
          .filter((x) => x.path === 'customTopics')
          .map((x) => (
            <Text key={x.code} size="sm" c="red" mt="xs">
              {x.message}
            </Text>
          ))}
      </Card>
    </Stack>
  );
}
