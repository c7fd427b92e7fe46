// The subscriptions list (notify type, callback URL, live URL state) with add and delete.
import { Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  businessNotifyTypes,
  managementNotifyTypes,
  type NotifyType,
  type PushUrlState,
  type Subscription,
} from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { EmptyState } from '../../ui/QueryStates.js';
import { UrlStateBadge } from './pushState.js';
import { useCreateSubscription, useDeleteSubscription } from './pushQueries.js';

interface Props {
  appId: string;
  items: Subscription[];
  urls: PushUrlState[];
  draftUrl: string;
  onDraftUrl: (url: string) => void;
}

export function SubscriptionsCard({ appId, items, urls, draftUrl, onDraftUrl }: Props) {
  const { t } = useTranslation();
  const [notifyType, setNotifyType] = useState<NotifyType>('deviceDataChanged');
  const create = useCreateSubscription(appId);
  const remove = useDeleteSubscription(appId);
  const stateOf = (url: string) => urls.find((u) => u.url === url);
  const typeOptions = [
    { group: t('apps.push.business'), items: businessNotifyTypes.map((v) => ({ value: v, label: v })) },
    { group: t('apps.push.management'), items: managementNotifyTypes.map((v) => ({ value: v, label: v })) },
  ];
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={4}>{t('apps.push.subscriptionsTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('apps.push.subscriptionsHint')}
        </Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ notifyType, callbackUrl: draftUrl.trim() }, { onSuccess: () => onDraftUrl('') });
          }}
        >
          <Group align="flex-end" gap="sm" wrap="wrap">
            <Select
              label={t('apps.push.notifyType')}
              data={typeOptions}
              value={notifyType}
              onChange={(v) => v && setNotifyType(v)}
              allowDeselect={false}
              searchable
              w={280}
            />
            <TextInput
              label={t('apps.push.callbackUrl')}
              placeholder="https://app.example.com:8443/v1.0.0/messageReceiver"
              value={draftUrl}
              onChange={(e) => onDraftUrl(e.currentTarget.value)}
              style={{ flex: 1, minWidth: 280 }}
            />
            <Button
              type="submit"
              leftSection={<IconPlus size={16} />}
              loading={create.isPending}
              disabled={!draftUrl.trim()}
            >
              {t('apps.push.subscribe')}
            </Button>
          </Group>
          {create.error && (
            <Text size="sm" c="red" role="alert" mt={4}>
              {describeApiError(create.error).message}
            </Text>
          )}
        </form>
        {items.length === 0 ? (
          <EmptyState title={t('apps.push.noSubscriptions')}>{t('apps.push.noSubscriptionsHint')}</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('apps.push.notifyType')}</Table.Th>
                  <Table.Th>{t('apps.push.callbackUrl')}</Table.Th>
                  <Table.Th>{t('apps.push.urlState')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.subscriptionId} data-testid="subscription-row">
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {s.notifyType}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                        {s.callbackUrl}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <UrlStateBadge state={stateOf(s.callbackUrl)} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        leftSection={<IconTrash size={14} />}
                        loading={remove.isPending && remove.variables === s.subscriptionId}
                        onClick={() => remove.mutate(s.subscriptionId)}
                        aria-label={t('apps.push.deleteAria', { type: s.notifyType, url: s.callbackUrl })}
                      >
                        {t('apps.push.delete')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
