// Traffic: every device frame live, filtered, decoded layer by layer, with the bytes, and exportable.
import { Alert, Badge, Button, Group, Menu, Paper, SegmentedControl, Stack, Switch, Text } from '@mantine/core';
import { IconDownload, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../ui/PageHeader.js';
import { ErrorState } from '../../ui/QueryStates.js';
import { FilterBar } from './FilterBar.js';
import { FrameList } from './FrameList.js';
import { FramePanes } from './FramePanes.js';
import type { TimeMode } from './timeFormat.js';
import { useClearTraffic, useExportTraffic, useTrafficStats } from './trafficQueries.js';
import { useTrafficStream } from './useTrafficStream.js';

export function TrafficPage() {
  const { t } = useTranslation();
  // `?filter=` opens the view filtered (the command timeline links to a device's frames).
  const [search] = useSearchParams();
  const [filter, setFilter] = useState(search.get('filter') ?? '');
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [timeMode, setTimeMode] = useState<TimeMode>('relative');
  const [selectedSeq, setSelectedSeq] = useState<number>();
  const { view, error, clear } = useTrafficStream(filter, paused);
  const stats = useTrafficStats();
  const clearTraffic = useClearTraffic();
  const exportTraffic = useExportTraffic();

  const showDevice = useCallback((id: string) => setFilter(`device == "${id.replace(/["\\]/g, '\\$&')}"`), []);

  const exportAs = (format: 'pcapng' | 'json', filtered: boolean) =>
    exportTraffic.mutate({ format, ...(filtered && filter ? { filter } : {}) });

  return (
    <Stack gap="xs" style={{ height: 'calc(100dvh - 48px - 2 * var(--mantine-spacing-md))' }}>
      <PageHeader
        title={t('traffic.title')}
        description={t('traffic.description')}
        actions={
          <>
            <Button
              variant={paused ? 'filled' : 'light'}
              leftSection={paused ? <IconPlayerPlay size={16} /> : <IconPlayerPause size={16} />}
              onClick={() => setPaused((p) => !p)}
            >
              {paused ? t('traffic.resume') : t('traffic.pause')}
            </Button>
            <Button
              variant="light"
              color="red"
              leftSection={<IconTrash size={16} />}
              loading={clearTraffic.isPending}
              onClick={() =>
                clearTraffic.mutate(undefined, {
                  onSuccess: () => {
                    clear();
                    setSelectedSeq(undefined);
                  },
                })
              }
            >
              {t('traffic.clear')}
            </Button>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button leftSection={<IconDownload size={16} />} loading={exportTraffic.isPending}>
                  {t('traffic.export.button')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => exportAs('pcapng', false)}>{t('traffic.export.pcapngAll')}</Menu.Item>
                <Menu.Item disabled={!filter} onClick={() => exportAs('pcapng', true)}>
                  {t('traffic.export.pcapngFiltered')}
                </Menu.Item>
                <Menu.Item onClick={() => exportAs('json', false)}>{t('traffic.export.jsonAll')}</Menu.Item>
                <Menu.Item disabled={!filter} onClick={() => exportAs('json', true)}>
                  {t('traffic.export.jsonFiltered')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </>
        }
      />
      <FilterBar applied={filter} onApply={setFilter} />
      <Group justify="space-between" gap="xs">
        <Group gap="md">
          <Switch
            size="xs"
            label={t('traffic.follow')}
            checked={follow}
            onChange={(e) => setFollow(e.currentTarget.checked)}
          />
          <SegmentedControl
            size="xs"
            value={timeMode}
            onChange={(v) => setTimeMode(v)}
            data={[
              { value: 'relative', label: t('traffic.time.relative') },
              { value: 'absolute', label: t('traffic.time.absolute') },
            ]}
          />
          {view.notShownPaused > 0 ? (
            <Badge color="yellow" variant="light" tt="none" data-testid="not-shown-paused">
              {t('traffic.notShown', { count: view.notShownPaused, reason: t('traffic.reasonPaused') })}
            </Badge>
          ) : null}
          {view.notShownOverLimit > 0 ? (
            <Badge color="orange" variant="light" tt="none" data-testid="not-shown-over-limit">
              {t('traffic.notShown', { count: view.notShownOverLimit, reason: t('traffic.reasonOverLimit') })}
            </Badge>
          ) : null}
        </Group>
        <Text size="xs" c="dimmed" data-testid="traffic-stats">
          {stats.data
            ? t('traffic.stats', {
                shown: view.rows.length,
                stored: stats.data.stored,
                capacity: stats.data.capacity,
                dropped: stats.data.dropped,
              })
            : ''}
        </Text>
      </Group>
      {error ? <ErrorState error={error} /> : null}
      {paused ? (
        <Alert color="yellow" variant="light" py={4}>
          {t('traffic.pausedNote')}
        </Alert>
      ) : null}
      <Paper withBorder style={{ flex: '1 1 0', minHeight: 160, display: 'flex', flexDirection: 'column' }}>
        <FrameList
          rows={view.rows}
          selectedSeq={selectedSeq}
          onSelect={setSelectedSeq}
          follow={follow}
          onFollowChange={setFollow}
          timeMode={timeMode}
        />
      </Paper>
      <FramePanes seq={selectedSeq} onShowDevice={showDevice} />
    </Stack>
  );
}
