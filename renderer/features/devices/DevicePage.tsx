// One device: header with its status and actions, then tabs — overview (details, connection, latest values),
// data history (chart and table), status timeline, and the protocol-specific tabs of deviceTabs.tsx.
import { Anchor, Grid, Stack, Tabs } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { ConnectionCard } from './ConnectionCard.js';
import { DeleteDeviceButton, ResetSecretButton } from './DeviceActions.js';
import { DeviceDetailsCard } from './DeviceDetailsCard.js';
import { DeviceStatusBadge } from './DeviceStatusBadge.js';
import { useDevice, useDeviceLiveRefresh } from './deviceQueries.js';
import { extraDeviceTabs } from './deviceTabs.js';
import { HistoryPanel } from './HistoryPanel.js';
import { LatestDataCard } from './LatestDataCard.js';
import { StatusTimeline } from './StatusTimeline.js';

export function DevicePage() {
  const { t } = useTranslation();
  const deviceId = useParams().deviceId ?? '';
  const device = useDevice(deviceId);
  useDeviceLiveRefresh(deviceId);
  const [search, setSearch] = useSearchParams();
  // The secret the user pasted or just reset: fills the connection snippets, never leaves this page.
  const [secret, setSecret] = useState('');

  const back = (
    <Anchor component={Link} to="/devices" size="sm">
      {t('devices.back')}
    </Anchor>
  );
  if (device.isPending) return <LoadingState />;
  if (device.isError) {
    const missing = 'status' in device.error && device.error.status === 404;
    return (
      <Stack gap="md">
        {back}
        {missing ? (
          <EmptyState title={t('devices.page.notFound')}>{deviceId}</EmptyState>
        ) : (
          <ErrorState error={device.error} onRetry={() => void device.refetch()} />
        )}
      </Stack>
    );
  }
  const d = device.data;
  const tabs = extraDeviceTabs.filter((tab) => tab.appliesTo?.(d) ?? true);
  const tab = search.get('tab') ?? 'overview';

  return (
    <Stack gap="md">
      {back}
      <PageHeader
        title={d.name ?? d.nodeId}
        description={
          <span style={{ fontFamily: 'var(--mantine-font-family-monospace)', overflowWrap: 'anywhere' }}>
            {d.deviceId}
          </span>
        }
        actions={
          <>
            <DeviceStatusBadge status={d.status} size="lg" />
            <ResetSecretButton device={d} onReset={setSecret} />
            <DeleteDeviceButton device={d} />
          </>
        }
      />
      <Tabs
        value={tab}
        onChange={(v) => setSearch(v && v !== 'overview' ? { tab: v } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="overview">{t('devices.tabs.overview')}</Tabs.Tab>
          <Tabs.Tab value="data">{t('devices.tabs.data')}</Tabs.Tab>
          <Tabs.Tab value="status">{t('devices.tabs.status')}</Tabs.Tab>
          {tabs.map((x) => (
            <Tabs.Tab key={x.value} value={x.value}>
              {t(x.labelKey)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Stack gap="md">
            <Grid>
              <Grid.Col span={{ base: 12, lg: 5 }}>
                <DeviceDetailsCard device={d} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, lg: 7 }}>
                <ConnectionCard device={d} secret={secret} onSecretChange={setSecret} />
              </Grid.Col>
            </Grid>
            <LatestDataCard device={d} onShowHistory={() => setSearch({ tab: 'data' }, { replace: true })} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="data" pt="md">
          <HistoryPanel device={d} />
        </Tabs.Panel>
        <Tabs.Panel value="status" pt="md">
          <StatusTimeline device={d} />
        </Tabs.Panel>
        {tabs.map((x) => (
          <Tabs.Panel key={x.value} value={x.value} pt="md">
            <x.Panel device={d} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
