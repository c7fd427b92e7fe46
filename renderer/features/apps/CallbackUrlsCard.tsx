// Each callback URL's live state (ok / failing / invalid, queue depth, last error, last success) and its recent
// deliveries (time, notify type, status, latency, body, error), with "retry now".
import { Accordion, Box, Button, Code, Group, Card, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PushDelivery, PushUrlState } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { UrlStateBadge } from './pushState.js';
import { useDeliveries, useRetryUrl } from './pushQueries.js';

const outcomeTone: Record<PushDelivery['outcome'], StatusTone> = {
  delivered: 'ok',
  failed: 'warning',
  rejected: 'error',
  dropped: 'error',
  probe: 'neutral',
};

function prettyBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Deliveries({ url, open }: { url: string; open: boolean }) {
  const { t } = useTranslation();
  const deliveries = useDeliveries(url, open);
  const [shown, setShown] = useState<number>();
  if (deliveries.isPending) return <LoadingState />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  if (deliveries.data.items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('apps.push.noDeliveries')}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('apps.push.time')}</Table.Th>
            <Table.Th>{t('apps.push.notifyType')}</Table.Th>
            <Table.Th>{t('apps.push.outcome')}</Table.Th>
            <Table.Th>{t('apps.push.status')}</Table.Th>
            <Table.Th>{t('apps.push.latency')}</Table.Th>
            <Table.Th>{t('apps.push.error')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.data.items.map((d) => (
            <Fragment key={d.id}>
              <Table.Tr
                data-testid="delivery-row"
                style={{ cursor: 'pointer' }}
                onClick={() => setShown(shown === d.id ? undefined : d.id)}
                aria-expanded={shown === d.id}
              >
                <Table.Td>{formatDateTime(d.at)}</Table.Td>
                <Table.Td ff="monospace">{d.notifyType}</Table.Td>
                <Table.Td>
                  <StatusBadge tone={outcomeTone[d.outcome]}>{t(`apps.push.outcomes.${d.outcome}`)}</StatusBadge>
                </Table.Td>
                <Table.Td>{d.statusCode ?? '—'}</Table.Td>
                <Table.Td>{d.latencyMs === undefined ? '—' : `${d.latencyMs} ms`}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{d.error ?? ''}</Table.Td>
              </Table.Tr>
              {shown === d.id && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Code block data-testid="delivery-body">
                      {prettyBody(d.body)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function UrlSummary({ state }: { state: PushUrlState }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="nowrap">
        <UrlStateBadge state={state} />
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {state.url}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        {t('apps.push.counts', { queued: state.queueDepth, delivered: state.delivered, dropped: state.dropped })}
        {state.lastSuccessAt ? ` · ${t('apps.push.lastSuccess', { time: formatDateTime(state.lastSuccessAt) })}` : ''}
      </Text>
      {state.lastError && state.state !== 'ok' && (
        <Text size="xs" c="red" data-testid="url-last-error">
          {t('apps.push.lastError', { error: state.lastError })}
        </Text>
      )}
      {state.state === 'invalid' && state.nextProbeAt && (
        <Text size="xs" c="dimmed">
          {t('apps.push.nextProbe', { time: formatDateTime(state.nextProbeAt) })}
        </Text>
      )}
    </Stack>
  );
}

export function CallbackUrlsCard({ urls }: { urls: PushUrlState[] }) {
  const { t } = useTranslation();
  const retry = useRetryUrl();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={4}>{t('apps.push.urlsTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('apps.push.urlsHint')}
        </Text>
        {urls.length === 0 ? (
          <EmptyState title={t('apps.push.noUrls')} />
        ) : (
          <Accordion value={open} onChange={setOpen} variant="separated">
            {urls.map((u) => (
              <Accordion.Item key={u.url} value={u.url} data-testid="callback-url">
                <Group wrap="nowrap" gap="xs" pr="sm">
                  <Box style={{ flex: 1, minWidth: 0 }}>
                    <Accordion.Control>
                      <UrlSummary state={u} />
                    </Accordion.Control>
                  </Box>
                  <Button
                    size="xs"
                    variant="light"
                    style={{ flexShrink: 0 }}
                    leftSection={<IconRefresh size={14} />}
                    loading={retry.isPending && retry.variables === u.url}
                    onClick={() => retry.mutate(u.url)}
                  >
                    {t('apps.push.retryNow')}
                  </Button>
                </Group>
                <Accordion.Panel>
                  <Deliveries url={u.url} open={open === u.url} />
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
      </Stack>
    </Card>
  );
}
