// An application's "Subscriptions" tab: what its application servers subscribed, the live state of each
// callback URL with its recent deliveries, the built-in test receiver, and the CAs that verify HTTPS callbacks.
import { Alert, Stack } from '@mantine/core';
import { IconBellOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application } from '../../../core/contract/index.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { CallbackCasCard } from './CallbackCasCard.js';
import { CallbackUrlsCard } from './CallbackUrlsCard.js';
import { SubscriptionsCard } from './SubscriptionsCard.js';
import { TestReceiverCard } from './TestReceiverCard.js';
import { usePushLiveRefresh, useSubscriptions } from './pushQueries.js';

export function SubscriptionsTab({ app }: { app: Application }) {
  const { t } = useTranslation();
  usePushLiveRefresh();
  const subscriptions = useSubscriptions(app.appId);
  const [draftUrl, setDraftUrl] = useState('');
  if (subscriptions.isPending) return <LoadingState />;
  if (subscriptions.isError)
    return <ErrorState error={subscriptions.error} onRetry={() => void subscriptions.refetch()} />;
  const { items, urls, pushing } = subscriptions.data;
  return (
    <Stack gap="md">
      {!pushing && (
        <Alert color="yellow" icon={<IconBellOff size={18} />} title={t('apps.push.offTitle')} data-testid="push-off">
          {t('apps.push.offText')}
        </Alert>
      )}
      <SubscriptionsCard appId={app.appId} items={items} urls={urls} draftUrl={draftUrl} onDraftUrl={setDraftUrl} />
      <TestReceiverCard onUse={setDraftUrl} />
      <CallbackUrlsCard urls={urls} />
      <CallbackCasCard />
    </Stack>
  );
}
