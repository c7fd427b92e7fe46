// The device page's Commands tab: the send form from the product model, the device's commands with each state
// change live, and the timeline of the selected one; cancel, cancel all PENDING, resend.
import { Button, Card, Grid, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconBan, IconRepeat } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { notifyApiError } from '../../api/errorNotifications.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { useProduct } from '../products/productQueries.js';
import { CommandFormCard } from './CommandForm.js';
import { useCommandActions, useCommandEvents, useCreateCommand, useDeviceCommands } from './commandQueries.js';
import { commandTone } from './commandStatus.js';
import { CommandTimeline } from './CommandTimeline.js';

export function CommandsPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const product = useProduct(device.productId);
  const commands = useDeviceCommands(device.deviceId);
  useCommandEvents(device.deviceId);
  const create = useCreateCommand(device.deviceId);
  const actions = useCommandActions(device.deviceId);
  const [selected, setSelected] = useState<string | undefined>();
  const items = commands.data?.items ?? [];
  const current = items.find((c) => c.commandId === selected) ?? items[0];
  const pending = items.filter((c) => c.status === 'PENDING').length;

  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Stack gap="md">
          {product.isPending ? (
            <LoadingState />
          ) : product.isError ? (
            <ErrorState error={product.error} />
          ) : (
            <CommandFormCard
              model={product.data.model}
              busy={create.isPending}
              onSend={async (draft) => setSelected((await create.mutateAsync(draft)).commandId)}
            />
          )}
          {current && (
            <Card withBorder padding="md">
              <Title order={3} size="h5" mb="xs">
                {t('commands.timeline.title')}
              </Title>
              <CommandTimeline command={current} />
            </Card>
          )}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Card withBorder padding="md">
          <Group justify="space-between" mb="xs">
            <div>
              <Title order={3} size="h5">
                {t('commands.list.title')}
              </Title>
              <Text size="xs" c="dimmed">
                {t('commands.list.hint')}
              </Text>
            </div>
            <Button
              size="xs"
              variant="light"
              color="red"
              leftSection={<IconBan size={14} />}
              disabled={pending === 0}
              loading={actions.cancelAll.isPending}
              onClick={() => actions.cancelAll.mutate(undefined, { onError: notifyApiError })}
            >
              {pending > 0 ? t('commands.list.cancelAll', { count: pending }) : t('commands.list.noPending')}
            </Button>
          </Group>
          {commands.isPending ? (
            <LoadingState />
          ) : commands.isError ? (
            <ErrorState error={commands.error} onRetry={() => void commands.refetch()} />
          ) : items.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('commands.list.none')}
            </Text>
          ) : (
            <Table highlightOnHover data-testid="command-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('commands.list.created')}</Table.Th>
                  <Table.Th>{t('commands.list.command')}</Table.Th>
                  <Table.Th w={110}>{t('commands.list.status')}</Table.Th>
                  <Table.Th>{t('commands.list.issued')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr
                    key={c.commandId}
                    data-command-status={c.status}
                    onClick={() => setSelected(c.commandId)}
                    style={{ cursor: 'pointer' }}
                    bg={c.commandId === current?.commandId ? 'var(--mantine-color-default-hover)' : undefined}
                  >
                    <Table.Td>
                      <Text size="sm">{formatDateTime(c.createdAt)}</Text>
                      <Text size="xs" c="dimmed">
                        {c.expireTime === 0 ? t('commands.list.immediate') : t('commands.list.cached')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {c.serviceId} · {c.method}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace" lineClamp={1}>
                        {JSON.stringify(c.paras)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge tone={commandTone[c.status]}>{t(`commands.status.${c.status}`)}</StatusBadge>
                    </Table.Td>
                    <Table.Td>{c.issuedTimes}</Table.Td>
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Group gap={4} wrap="nowrap">
                        {c.status === 'PENDING' && (
                          <Button
                            size="compact-xs"
                            variant="default"
                            onClick={() => actions.cancel.mutate(c.commandId, { onError: notifyApiError })}
                          >
                            {t('commands.list.cancel')}
                          </Button>
                        )}
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          leftSection={<IconRepeat size={12} />}
                          onClick={() =>
                            actions.resend.mutate(c.commandId, {
                              onError: notifyApiError,
                              onSuccess: (copy) => setSelected(copy.commandId),
                            })
                          }
                        >
                          {t('commands.list.resend')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </Grid.Col>
    </Grid>
  );
}
