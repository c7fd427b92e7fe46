// The tags manager: define a tag (key, optional value), see how many devices carry it, open them, delete it.
import { Button, Card, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconTag } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { describeApiError } from '../../api/errorNotifications.js';
import { formatDateTime } from '../../app/i18n.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useCreateTag, useDeleteTag, useTags } from './groupQueries.js';

export function TagsPanel() {
  const { t } = useTranslation();
  const tags = useTags();
  const create = useCreateTag();
  const remove = useDeleteTag();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const error = create.error ?? remove.error;
  return (
    <Card withBorder padding="md">
      <Stack>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { key: key.trim(), ...(value.trim() ? { value: value.trim() } : {}) },
              {
                onSuccess: () => {
                  setKey('');
                  setValue('');
                },
              },
            );
          }}
        >
          <Group align="flex-end">
            <TextInput
              label={t('groups.tags.key')}
              placeholder="site"
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              maxLength={64}
              required
            />
            <TextInput
              label={t('groups.tags.value')}
              description={t('groups.tags.valueHint')}
              placeholder="north"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              maxLength={128}
            />
            <Button type="submit" leftSection={<IconTag size={14} />} disabled={!key.trim()} loading={create.isPending}>
              {t('groups.tags.create')}
            </Button>
          </Group>
        </form>
        {error && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(error).message}
          </Text>
        )}
        {tags.isLoading ? (
          <LoadingState />
        ) : tags.error ? (
          <ErrorState error={tags.error} onRetry={() => void tags.refetch()} />
        ) : !tags.data?.tags.length ? (
          <Text size="sm" c="dimmed">
            {t('groups.tags.empty')}
          </Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('groups.tags.tag')}</Table.Th>
                <Table.Th>{t('groups.tags.devices')}</Table.Th>
                <Table.Th>{t('groups.tags.created')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tags.data.tags.map((tag) => (
                <Table.Tr key={tag.id} data-testid="tag-row">
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {tag.value ? `${tag.key}=${tag.value}` : tag.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Link to={`/devices?tagId=${encodeURIComponent(tag.id)}`}>
                      {t('groups.tags.deviceCount', { count: tag.deviceCount })}
                    </Link>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(tag.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(tag.id)}>
                      {t('groups.tags.delete')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
