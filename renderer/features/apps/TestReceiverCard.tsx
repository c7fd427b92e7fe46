// The built-in test receiver: a loopback callback URL whose pushes are shown here, so a user can subscribe and
// watch what an application server would receive; it can also answer 503 or nothing to try the retry rules.
import { Button, Card, Code, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowUp, IconEraser } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/i18n.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useSetTestReceiver, useTestReceiver } from './pushQueries.js';

const SHOWN = 20;

export function TestReceiverCard({ onUse }: { onUse: (url: string) => void }) {
  const { t } = useTranslation();
  const receiver = useTestReceiver();
  const configure = useSetTestReceiver();
  if (receiver.isPending) return <LoadingState />;
  if (receiver.isError) return <ErrorState error={receiver.error} onRetry={() => void receiver.refetch()} />;
  const r = receiver.data;
  return (
    <Card withBorder padding="lg" data-testid="test-receiver">
      <Stack gap="sm">
        <Title order={4}>{t('apps.push.receiverTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('apps.push.receiverHint')}
        </Text>
        {r.callbackUrl && (
          <Group gap="sm" wrap="wrap">
            <CopyableValue value={r.callbackUrl} label={t('apps.push.callbackUrl')} />
            <Button
              size="xs"
              variant="light"
              leftSection={<IconArrowUp size={14} />}
              onClick={() => onUse(r.callbackUrl ?? '')}
            >
              {t('apps.push.useReceiver')}
            </Button>
          </Group>
        )}
        <Group gap="sm">
          <Text size="sm">{t('apps.push.receiverAnswers')}</Text>
          <SegmentedControl
            size="xs"
            value={String(r.answer)}
            onChange={(v) => configure.mutate({ answer: v === 'none' ? 'none' : v === '503' ? 503 : 200 })}
            data={[
              { value: '200', label: t('apps.push.answer200') },
              { value: '503', label: t('apps.push.answer503') },
              { value: 'none', label: t('apps.push.answerNone') },
            ]}
          />
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconEraser size={14} />}
            onClick={() => configure.mutate({ clear: true })}
            disabled={r.received.length === 0}
          >
            {t('apps.push.clear')}
          </Button>
        </Group>
        {r.received.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="receiver-empty">
            {t('apps.push.receiverEmpty')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('apps.push.time')}</Table.Th>
                  <Table.Th>{t('apps.push.notifyType')}</Table.Th>
                  <Table.Th>{t('apps.push.answered')}</Table.Th>
                  <Table.Th>{t('apps.push.body')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.received.slice(0, SHOWN).map((p) => (
                  <Table.Tr key={p.id} data-testid="received-push">
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(p.at)}</Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {p.notifyType ?? '—'}
                      </Text>
                      {p.deviceId && (
                        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                          {p.deviceId}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {p.answered === 'none' ? t('apps.push.answerNone') : p.answered}
                    </Table.Td>
                    <Table.Td>
                      <Code
                        block
                        style={{ maxHeight: 160, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                      >
                        {p.body}
                      </Code>
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
