// The device page's Configuration tab: a JSON config (from a file or typed), its schedule and retry policy; the
// pending config with what was merged into it; the last successful one (download, edit, send again); the records.
import {
  Button,
  Card,
  FileButton,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDownload, IconEdit, IconFileUpload, IconRepeat } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  configValuesSchema,
  type ConfigSchedule,
  type ConfigUpdate,
  type ConfigValues,
  type Device,
  type ProductModel,
} from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { useApi } from '../../api/ApiProvider.js';
import { downloadFromApi } from '../../api/download.js';
import { notifyApiError } from '../../api/errorNotifications.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { useProduct } from '../products/productQueries.js';
import { useConfigUpdates, useCreateConfig, useShadowEvents } from '../shadow/shadowQueries.js';

const tones: Record<ConfigUpdate['status'], StatusTone> = {
  WAITING: 'neutral',
  SENDING: 'busy',
  SUCCESS: 'ok',
  FAILED: 'error',
};

/** A starting point: every writable property with its default (or an empty value of its type). */
function template(model: ProductModel): ConfigValues {
  const values: ConfigValues = {};
  for (const s of model.services) {
    const writable = s.properties.filter((p) => p.method.includes('W'));
    if (writable.length === 0) continue;
    values[s.serviceId] = Object.fromEntries(
      writable.map((p) => [
        p.name,
        p.defaultValue ?? p.enumList?.[0] ?? (['int', 'long', 'decimal'].includes(p.dataType) ? (p.min ?? 0) : ''),
      ]),
    );
  }
  return values;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function parseConfig(text: string): { values?: ConfigValues; error?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: 'config.editor.badJson' };
  }
  const parsed = configValuesSchema.safeParse(json);
  return parsed.success ? { values: parsed.data } : { error: 'config.editor.badShape' };
}

function ConfigStatus({ config }: { config: ConfigUpdate }) {
  const { t } = useTranslation();
  return (
    <StatusBadge tone={tones[config.status]} data-config-status={config.status}>
      {t(`config.status.${config.status}`)}
    </StatusBadge>
  );
}

export function ConfigPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const { connection } = useApi();
  const product = useProduct(device.productId);
  const configs = useConfigUpdates(device.deviceId);
  useShadowEvents(device.deviceId);
  const create = useCreateConfig(device.deviceId);
  const [text, setText] = useState<string | undefined>();
  const [schedule, setSchedule] = useState<ConfigSchedule>('now');
  const [at, setAt] = useState('');
  const [retryCount, setRetryCount] = useState<number>(0);
  const [intervalS, setIntervalS] = useState<number>(120);

  if (product.isPending || configs.isPending) return <LoadingState />;
  if (product.isError) return <ErrorState error={product.error} />;
  if (configs.isError) return <ErrorState error={configs.error} onRetry={() => void configs.refetch()} />;
  const editorText = text ?? pretty(template(product.data.model));
  const parsed = parseConfig(editorText);
  const atMs = at ? new Date(at).getTime() : NaN;
  const { pending, lastSuccessful, items } = configs.data;

  const send = (values: ConfigValues) =>
    create.mutate(
      {
        values,
        schedule,
        ...(schedule === 'at' ? { at: atMs } : {}),
        retry: { count: retryCount, intervalS },
      },
      { onError: notifyApiError },
    );

  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Card withBorder padding="md">
          <Group justify="space-between" mb="xs">
            <div>
              <Title order={3} size="h5">
                {t('config.editor.title')}
              </Title>
              <Text size="xs" c="dimmed">
                {t('config.editor.hint')}
              </Text>
            </div>
            <FileButton
              accept="application/json,.json"
              onChange={(file) => void file?.text().then((content) => setText(content))}
            >
              {(props) => (
                <Button {...props} size="xs" variant="light" leftSection={<IconFileUpload size={14} />}>
                  {t('config.editor.load')}
                </Button>
              )}
            </FileButton>
          </Group>
          <Stack gap="sm">
            <Textarea
              ff="monospace"
              autosize
              minRows={8}
              maxRows={20}
              value={editorText}
              onChange={(e) => setText(e.currentTarget.value)}
              error={parsed.error ? t(parsed.error) : undefined}
              data-testid="config-editor"
              aria-label={t('config.editor.title')}
            />
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t('config.schedule.title')}
              </Text>
              <SegmentedControl
                value={schedule}
                onChange={(v) => setSchedule(v)}
                data={[
                  { value: 'now', label: t('config.schedule.now') },
                  { value: 'online', label: t('config.schedule.online') },
                  { value: 'at', label: t('config.schedule.at') },
                ]}
              />
              <Text size="xs" c="dimmed" mt={4}>
                {t(`config.schedule.${schedule}Hint`)}
              </Text>
            </div>
            {schedule === 'at' && (
              <TextInput
                type="datetime-local"
                label={t('config.schedule.atLabel')}
                value={at}
                onChange={(e) => setAt(e.currentTarget.value)}
              />
            )}
            <Group grow>
              <NumberInput
                label={t('config.retry.count')}
                description={t('config.retry.countHint')}
                min={0}
                max={10}
                value={retryCount}
                onChange={(v) => setRetryCount(typeof v === 'number' ? v : 0)}
              />
              <NumberInput
                label={t('config.retry.interval')}
                description={t('config.retry.intervalHint')}
                min={1}
                max={604_800}
                value={intervalS}
                onChange={(v) => setIntervalS(typeof v === 'number' ? v : 120)}
              />
            </Group>
            <Group justify="flex-end">
              <Button
                disabled={!parsed.values || (schedule === 'at' && Number.isNaN(atMs))}
                loading={create.isPending}
                onClick={() => parsed.values && send(parsed.values)}
                data-testid="send-config"
              >
                {pending && pending.status === 'WAITING' ? t('config.editor.merge') : t('config.editor.send')}
              </Button>
            </Group>
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Stack gap="md">
          <Card withBorder padding="md" data-testid="pending-config">
            <Title order={3} size="h5" mb="xs">
              {t('config.pending.title')}
            </Title>
            {pending ? (
              <Stack gap="xs">
                <Group gap="xs">
                  <ConfigStatus config={pending} />
                  <Text size="xs" c="dimmed">
                    {t(`config.schedule.${pending.schedule}`)}
                    {pending.nextAttemptAt !== undefined &&
                      ` · ${t('config.pending.next', { time: formatDateTime(pending.nextAttemptAt) })}`}
                    {pending.mergedCount > 0 && ` · ${t('config.pending.merged', { count: pending.mergedCount })}`}
                  </Text>
                </Group>
                <Text size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
                  {pretty(pending.values)}
                </Text>
                {pending.reason && (
                  <Text size="xs" c="red">
                    {pending.reason}
                  </Text>
                )}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                {t('config.pending.none')}
              </Text>
            )}
          </Card>
          <Card withBorder padding="md" data-testid="last-config">
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h5">
                {t('config.last.title')}
              </Title>
              {lastSuccessful && (
                <Group gap="xs">
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconDownload size={14} />}
                    onClick={() =>
                      void downloadFromApi(
                        connection,
                        `${connection.apiUrl}/api/devices/${encodeURIComponent(device.deviceId)}/config/last.json`,
                        `${device.deviceId}-config.json`,
                      ).catch(notifyApiError)
                    }
                  >
                    {t('config.last.download')}
                  </Button>
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconEdit size={14} />}
                    onClick={() => setText(pretty(lastSuccessful.values))}
                  >
                    {t('config.last.edit')}
                  </Button>
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconRepeat size={14} />}
                    loading={create.isPending}
                    onClick={() => send(lastSuccessful.values)}
                  >
                    {t('config.last.resend')}
                  </Button>
                </Group>
              )}
            </Group>
            {lastSuccessful ? (
              <Stack gap={4}>
                <Text size="xs" c="dimmed">
                  {formatDateTime(lastSuccessful.finishedAt ?? lastSuccessful.updatedAt)}
                </Text>
                <Text size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
                  {pretty(lastSuccessful.values)}
                </Text>
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                {t('config.last.none')}
              </Text>
            )}
          </Card>
          <Card withBorder padding="md">
            <Title order={3} size="h5" mb="xs">
              {t('config.records.title')}
            </Title>
            {items.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('config.records.none')}
              </Text>
            ) : (
              <Table data-testid="config-records">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('config.records.created')}</Table.Th>
                    <Table.Th>{t('config.records.schedule')}</Table.Th>
                    <Table.Th>{t('config.records.attempts')}</Table.Th>
                    <Table.Th>{t('config.records.result')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={c.configId}>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(c.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{t(`config.schedule.${c.schedule}`)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">
                          {t('config.records.attemptsOf', { attempts: c.attempts, total: c.retry.count + 1 })}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <ConfigStatus config={c} />
                        {c.reason && (
                          <Text size="xs" c="dimmed" lineClamp={2}>
                            {c.reason}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
