// Overview: what is running, where its data lives and how a device reaches it.
import { Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Listener } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { usePlatformInfo } from '../../api/platformQueries.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DevicePointing } from './DevicePointing.js';
import { ListenersTable } from './ListenersTable.js';
import { PlatformSummary } from './PlatformSummary.js';

/** The core lists its device listeners; the API's own socket is the one this page is talking to. */
function withApiListener(listeners: Listener[], apiUrl: string, apiPort: number | undefined): Listener[] {
  if (listeners.some((listener) => listener.name === 'api')) return listeners;
  const url = new URL(apiUrl);
  const port = apiPort ?? Number(url.port);
  return [...listeners, { name: 'api', protocol: 'tcp', address: url.hostname.replace(/^\[|\]$/g, ''), port }];
}

export function OverviewPage() {
  const { t } = useTranslation();
  const info = usePlatformInfo();
  const { connection } = useApi();

  return (
    <Stack gap="md" maw={1100}>
      <PageHeader title={t('overview.title')} description={t('overview.description')} />
      {info.isPending ? (
        <LoadingState />
      ) : info.isError ? (
        <ErrorState error={info.error} onRetry={() => void info.refetch()} />
      ) : (
        <>
          <PlatformSummary info={info.data} fetchedAt={info.dataUpdatedAt} />
          <DevicePointing info={info.data} />
          <ListenersTable listeners={withApiListener(info.data.listeners, connection.apiUrl, info.data.ports.api)} />
        </>
      )}
    </Stack>
  );
}
