// One application: its credentials (secret reset, shown once), settings, the grants it gives and has received,
// the northbound examples with its App ID, and deletion (refused, with the reason, for the default app or one
// that holds devices).
import { Anchor, Grid, Stack, Tabs } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { CredentialsCard } from './CredentialsCard.js';
import { DeleteAppCard } from './DeleteAppCard.js';
import { GrantsCard } from './GrantsCard.js';
import { NorthboundCard } from './NorthboundCard.js';
import { SecretRevealModal, type RevealedSecret } from './SecretRevealModal.js';
import { SettingsCard } from './SettingsCard.js';
import { SubscriptionsTab } from './SubscriptionsTab.js';
import { useApplication } from './appQueries.js';

export function AppPage() {
  const { t } = useTranslation();
  const appId = useParams().appId ?? '';
  const app = useApplication(appId);
  const [revealed, setRevealed] = useState<RevealedSecret>();
  const [search, setSearch] = useSearchParams();
  const tab = search.get('tab') === 'subscriptions' ? 'subscriptions' : 'overview';

  const back = (
    <Anchor component={Link} to="/apps" size="sm">
      {t('apps.back')}
    </Anchor>
  );
  if (app.isPending) return <LoadingState />;
  if (app.isError) {
    const missing = 'status' in app.error && app.error.status === 404;
    return (
      <Stack gap="md">
        {back}
        {missing ? (
          <EmptyState title={t('apps.page.notFound')}>{appId}</EmptyState>
        ) : (
          <ErrorState error={app.error} onRetry={() => void app.refetch()} />
        )}
      </Stack>
    );
  }
  const a = app.data;
  return (
    <Stack gap="md">
      {back}
      <PageHeader
        title={a.name}
        description={
          <span style={{ fontFamily: 'var(--mantine-font-family-monospace)', overflowWrap: 'anywhere' }}>
            {a.appId}
          </span>
        }
        actions={a.isDefault ? <StatusBadge tone="neutral">{t('apps.defaultBadge')}</StatusBadge> : undefined}
      />
      <Tabs
        value={tab}
        onChange={(value) => setSearch(value === 'subscriptions' ? { tab: value } : {}, { replace: true })}
      >
        <Tabs.List>
          <Tabs.Tab value="overview">{t('apps.tabs.overview')}</Tabs.Tab>
          <Tabs.Tab value="subscriptions">{t('apps.tabs.subscriptions')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Stack gap="md">
            <Grid gap="md">
              <Grid.Col span={{ base: 12, md: 6 }}>
                <CredentialsCard app={a} onSecret={(secret) => setRevealed({ ...secret, reason: 'reset' })} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 6 }}>
                <SettingsCard app={a} />
              </Grid.Col>
            </Grid>
            <GrantsCard app={a} />
            <NorthboundCard app={a} />
            <DeleteAppCard app={a} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="subscriptions" pt="md">
          {tab === 'subscriptions' && <SubscriptionsTab app={a} />}
        </Tabs.Panel>
      </Tabs>
      <SecretRevealModal revealed={revealed} onClose={() => setRevealed(undefined)} />
    </Stack>
  );
}
