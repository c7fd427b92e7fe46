// Stored history of a device: pick service, property and time range; see a numeric property as a chart and
// every stored value in a paged table; export the same selection as CSV.
import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../core/contract/index.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useProduct } from '../products/productQueries.js';
import {
  CHART_POINTS,
  useCsvDownload,
  useHistoryPage,
  useHistorySeries,
  useLatestData,
  type HistoryFilter,
} from './deviceQueries.js';
import { numericSeries, rangePresets, rangeWindow, type RangePreset } from './historyRange.js';
import { useNow } from './useNow.js';
import { valueText } from './valueText.js';
import { formatDateTime } from '../../app/i18n.js';

// uPlot (and its canvas setup) loads with the first chart, not with the app.
const HistoryChart = lazy(() => import('./HistoryChart.js').then((m) => ({ default: m.HistoryChart })));

const PAGE_SIZE = 50;

export function HistoryPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const product = useProduct(device.productId);
  const latest = useLatestData(device.deviceId);
  const download = useCsvDownload();
  const now = useNow(60_000);
  /** Undefined until the user picks: then the first property the device reported is shown. */
  const [picked, setPicked] = useState<{ serviceId: string | null; property: string | null }>();
  const [preset, setPreset] = useState<RangePreset>('24h');
  const [custom, setCustom] = useState<{ from?: string; to?: string }>({});
  const [cursors, setCursors] = useState<number[]>([]);

  // Services and properties from the model, plus any the device reported that the model does not list.
  const modelServices = product.data?.model.services ?? [];
  const services = new Map<string, Set<string>>();
  for (const s of modelServices) services.set(s.serviceId, new Set(s.properties.map((p) => p.name)));
  for (const s of latest.data?.services ?? []) {
    const props = services.get(s.serviceId) ?? new Set<string>();
    for (const k of Object.keys(s.data)) props.add(k);
    services.set(s.serviceId, props);
  }
  // Until the user picks, show what the device reported first.
  const firstReported = latest.data?.services[0];
  const effectiveService = picked ? picked.serviceId : (firstReported?.serviceId ?? null);
  const effectiveProperty = picked
    ? picked.property
    : firstReported
      ? (Object.keys(firstReported.data)[0] ?? null)
      : null;

  const filter: HistoryFilter = {
    ...(effectiveService ? { serviceId: effectiveService } : {}),
    ...(effectiveProperty ? { property: effectiveProperty } : {}),
    ...rangeWindow(preset, now, custom),
  };
  const cursor = cursors.at(-1);
  const page = useHistoryPage(device.deviceId, filter, cursor, PAGE_SIZE);
  const seriesQuery = useHistorySeries(device.deviceId, filter, Boolean(effectiveProperty));
  const series = numericSeries(seriesQuery.data?.items ?? []);
  const resetPaging = () => setCursors([]);

  return (
    <Stack gap="md">
      <Card withBorder padding="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label={t('devices.data.service')}
            placeholder={t('devices.history.anyService')}
            clearable
            allowDeselect={false}
            w={200}
            data={[...services.keys()]}
            value={effectiveService}
            onChange={(v) => {
              setPicked({ serviceId: v, property: null });
              resetPaging();
            }}
          />
          <Select
            label={t('devices.data.property')}
            placeholder={t('devices.history.anyProperty')}
            clearable
            allowDeselect={false}
            w={200}
            disabled={!effectiveService}
            data={effectiveService ? [...(services.get(effectiveService) ?? [])] : []}
            value={effectiveProperty}
            onChange={(v) => {
              setPicked({ serviceId: effectiveService, property: v });
              resetPaging();
            }}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('devices.history.range')}
            </Text>
            <SegmentedControl
              value={preset}
              onChange={(v) => {
                setPreset(v);
                resetPaging();
              }}
              data={rangePresets.map((p) => ({ value: p, label: t(`devices.history.presets.${p}`) }))}
            />
          </Stack>
          {preset === 'custom' ? (
            <>
              <TextInput
                type="datetime-local"
                label={t('devices.history.from')}
                value={custom.from ?? ''}
                onChange={(e) => {
                  setCustom({ ...custom, from: e.currentTarget.value });
                  resetPaging();
                }}
              />
              <TextInput
                type="datetime-local"
                label={t('devices.history.to')}
                value={custom.to ?? ''}
                onChange={(e) => {
                  setCustom({ ...custom, to: e.currentTarget.value });
                  resetPaging();
                }}
              />
            </>
          ) : null}
          <Button
            ml="auto"
            variant="default"
            leftSection={<IconDownload size={16} />}
            loading={download.isPending}
            onClick={() => download.mutate({ kind: 'history', deviceId: device.deviceId, filter })}
          >
            {t('devices.history.export')}
          </Button>
        </Group>
      </Card>

      {effectiveProperty ? (
        <Card withBorder padding="md">
          <Title order={3} size="h5" mb="xs">
            {t('devices.history.chartTitle', { service: effectiveService ?? '', property: effectiveProperty })}
          </Title>
          {seriesQuery.isPending ? (
            <LoadingState />
          ) : series.times.length === 0 ? (
            <Text size="sm" c="dimmed">
              {seriesQuery.data?.items.length ? t('devices.history.notNumeric') : t('devices.history.noPoints')}
            </Text>
          ) : (
            <>
              <Suspense fallback={<Loader size="sm" />}>
                <HistoryChart series={series} label={`${effectiveService ?? ''}.${effectiveProperty}`} />
              </Suspense>
              {seriesQuery.data?.nextCursor !== undefined ? (
                <Text size="xs" c="dimmed">
                  {t('devices.history.chartCapped', { count: CHART_POINTS })}
                </Text>
              ) : null}
            </>
          )}
        </Card>
      ) : (
        <Alert variant="light" color="gray">
          {t('devices.history.pickProperty')}
        </Alert>
      )}

      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="xs">
          {t('devices.history.tableTitle')}
        </Title>
        {page.isPending ? (
          <LoadingState />
        ) : page.isError ? (
          <ErrorState error={page.error} onRetry={() => void page.refetch()} />
        ) : page.data.items.length === 0 ? (
          <EmptyState title={t('devices.page.noHistory')}>{t('devices.history.emptyHint')}</EmptyState>
        ) : (
          <>
            <Table striped data-testid="history-table" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={190}>{t('devices.data.eventTime')}</Table.Th>
                  <Table.Th w={190}>{t('devices.data.receivedAt')}</Table.Th>
                  <Table.Th>{t('devices.data.service')}</Table.Th>
                  <Table.Th>{t('devices.data.property')}</Table.Th>
                  <Table.Th>{t('devices.data.value')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.items.map((h) => (
                  <Table.Tr key={h.id}>
                    <Table.Td>{formatDateTime(h.eventTime)}</Table.Td>
                    <Table.Td>{formatDateTime(h.receivedAt)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.serviceId}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.property}</Table.Td>
                    <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                      {valueText(h.value)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                {t('devices.history.page', { page: cursors.length + 1 })}
              </Text>
              <Group gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  disabled={!cursors.length}
                  onClick={() => setCursors(cursors.slice(0, -1))}
                >
                  {t('devices.list.newer')}
                </Button>
                <Button
                  variant="default"
                  size="xs"
                  disabled={page.data.nextCursor === undefined}
                  onClick={() => {
                    const next = page.data.nextCursor;
                    if (next !== undefined) setCursors([...cursors, next]);
                  }}
                >
                  {t('devices.list.older')}
                </Button>
              </Group>
            </Group>
          </>
        )}
      </Card>
    </Stack>
  );
}
