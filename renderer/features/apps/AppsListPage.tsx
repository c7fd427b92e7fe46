// The applications list: every project space with its App ID, industry, devices and history switch, the northbound
// API's address with curl examples, and "Create application" (whose secret is shown once).
import { Anchor, Button, Card, Group, Stack, Switch, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Application } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { CreateAppModal } from './CreateAppModal.js';
import { NorthboundCard } from './NorthboundCard.js';
import { SecretRevealModal, type RevealedSecret } from './SecretRevealModal.js';
import { useApplications, useUpdateApplication } from './appQueries.js';
import { formatDateTime, formatTimeOfDay } from '../../app/i18n.js';

export const appPath = (appId: string) => `/apps/${encodeURIComponent(appId)}`;

function StoreHistorySwitch({ app }: { app: Application }) {
  const { t } = useTranslation();
  const update = useUpdateApplication(app.appId);
  return (
    <Switch
      checked={update.isPending ? !app.storeHistory : app.storeHistory}
      onChange={(e) => update.mutate({ storeHistory: e.currentTarget.checked })}
      aria-label={t('apps.list.storeHistoryAria', { name: app.name })}
    />
  );
}

export function AppsListPage() {
  const { t } = useTranslation();
  const apps = useApplications();
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<RevealedSecret>();
  const defaultApp = apps.data?.items.find((a) => a.isDefault);

  return (
    <Stack gap="md">
      <PageHeader
        title={t('apps.title')}
        description={t('apps.description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('apps.list.create')}
          </Button>
        }
      />
      {apps.isPending ? (
        <LoadingState />
      ) : apps.isError ? (
        <ErrorState error={apps.error} onRetry={() => void apps.refetch()} />
      ) : (
        <Card withBorder padding={0}>
          <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover data-testid="apps-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('apps.fields.name')}</Table.Th>
                <Table.Th>{t('apps.fields.appId')}</Table.Th>
                <Table.Th>{t('apps.fields.industry')}</Table.Th>
                <Table.Th ta="right">{t('apps.fields.devices')}</Table.Th>
                <Table.Th>{t('apps.fields.storeHistory')}</Table.Th>
                <Table.Th>{t('apps.fields.created')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {apps.data.items.map((app) => (
                <Table.Tr key={app.appId} data-testid="app-row">
                  <Table.Td>
                    <Stack gap={4} align="flex-start">
                      <Anchor
                        component={Link}
                        to={appPath(app.appId)}
                        fw={500}
                        aria-label={t('apps.list.openAria', { name: app.name })}
                      >
                        {app.name}
                      </Anchor>
                      <Group gap={4}>
                        {app.isDefault && <StatusBadge tone="neutral">{t('apps.defaultBadge')}</StatusBadge>}
                        {!app.secretKnown && (
                          <StatusBadge tone="warning" title={t('apps.list.noSecretHint')}>
                            {t('apps.list.noSecret')}
                          </StatusBadge>
                        )}
                        {app.tokenExpiresAt !== undefined && (
                          <StatusBadge
                            tone="ok"
                            title={t('apps.loggedInUntil', { time: formatTimeOfDay(app.tokenExpiresAt) })}
                          >
                            {t('apps.loggedIn')}
                          </StatusBadge>
                        )}
                      </Group>
                    </Stack>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <CopyableValue value={app.appId} label={t('apps.fields.appId')} size="xs" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={app.industry ? undefined : 'dimmed'}>
                      {app.industry ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">{app.deviceCount}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StoreHistorySwitch app={app} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(app.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <NorthboundCard app={defaultApp} />
      <CreateAppModal opened={creating} onClose={() => setCreating(false)} onCreated={setRevealed} />
      <SecretRevealModal revealed={revealed} onClose={() => setRevealed(undefined)} />
    </Stack>
  );
}
