// on one application's page: which other applications may query or edit its devices (grant, change, revoke)
// and which applications it may act for. Grants are not transitive, so only direct grants are listed.
import { Button, Card, Group, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconShieldPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application, ApplicationGrant, GrantAccess } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { useApplicationGrants, useApplications, useGrantAccess, useRevokeGrant } from './appQueries.js';
import { formatDateTime } from '../../app/i18n.js';

function AccessControl({
  value,
  onChange,
  disabled,
}: {
  value: GrantAccess;
  onChange: (v: GrantAccess) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      value={value}
      disabled={disabled}
      onChange={onChange}
      data={(['query', 'edit'] as const).map((access) => ({
        value: access,
        label: t(`apps.grants.accessNames.${access}`),
      }))}
    />
  );
}

function AppName({ name, appId }: { name: string; appId: string }) {
  return (
    <Stack gap={0}>
      <Text size="sm" fw={500}>
        {name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {appId}
      </Text>
    </Stack>
  );
}

function GivenGrantRow({ grant, appId }: { grant: ApplicationGrant; appId: string }) {
  const { t } = useTranslation();
  const change = useGrantAccess(appId);
  const revoke = useRevokeGrant(appId);
  const error = change.error ?? revoke.error;
  return (
    <Table.Tr data-testid="grant-row">
      <Table.Td>
        <AppName name={grant.granteeName} appId={grant.granteeAppId} />
      </Table.Td>
      <Table.Td>
        <AccessControl
          value={change.isPending ? (change.variables?.access ?? grant.access) : grant.access}
          disabled={change.isPending}
          onChange={(access) => change.mutate({ granteeAppId: grant.granteeAppId, access })}
        />
        {error && (
          <Text size="xs" c="red" role="alert">
            {describeApiError(error).message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(grant.createdAt)}</Text>
      </Table.Td>
      <Table.Td ta="right">
        <Button
          size="xs"
          variant="subtle"
          color="red"
          leftSection={<IconTrash size={14} />}
          loading={revoke.isPending}
          onClick={() => revoke.mutate(grant.granteeAppId)}
          aria-label={t('apps.grants.revokeAria', { name: grant.granteeName })}
        >
          {t('apps.grants.revoke')}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function NewGrantForm({ app, candidates }: { app: Application; candidates: Application[] }) {
  const { t } = useTranslation();
  const grant = useGrantAccess(app.appId);
  const [grantee, setGrantee] = useState<string | null>(null);
  const [access, setAccess] = useState<GrantAccess>('query');
  if (candidates.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('apps.grants.noOtherApps')}
      </Text>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (grantee) grant.mutate({ granteeAppId: grantee, access }, { onSuccess: () => setGrantee(null) });
      }}
    >
      <Stack
        gap={4}
        p="sm"
        bg="var(--mantine-color-default-hover)"
        style={{ borderRadius: 'var(--mantine-radius-sm)' }}
      >
        <Text size="sm" fw={600}>
          {t('apps.grants.new')}
        </Text>
        <Group align="flex-end" gap="sm">
          <Select
            label={t('apps.grants.application')}
            placeholder={t('apps.grants.choose')}
            value={grantee}
            onChange={setGrantee}
            data={candidates.map((c) => ({ value: c.appId, label: `${c.name} (${c.appId})` }))}
            searchable
            w={320}
          />
          <Stack gap={2}>
            <Text size="sm" fw={500}>
              {t('apps.grants.access')}
            </Text>
            <AccessControl value={access} onChange={setAccess} />
          </Stack>
          <Button
            type="submit"
            leftSection={<IconShieldPlus size={16} />}
            disabled={!grantee}
            loading={grant.isPending}
          >
            {t('apps.grants.grant')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t(`apps.grants.accessNames.${access}`)}: {t(`apps.grants.accessHints.${access}`)}
        </Text>
        {grant.isError && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(grant.error).message}
          </Text>
        )}
      </Stack>
    </form>
  );
}

export function GrantsCard({ app }: { app: Application }) {
  const { t } = useTranslation();
  const grants = useApplicationGrants(app.appId);
  const apps = useApplications();
  const given = grants.data?.given ?? [];
  const candidates = (apps.data?.items ?? []).filter(
    (a) => a.appId !== app.appId && !given.some((g) => g.granteeAppId === a.appId),
  );
  return (
    <Card withBorder padding="md" data-testid="grants-card">
      <Title order={3} size="h5">
        {t('apps.grants.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('apps.grants.description', { appId: app.appId })}
      </Text>
      {grants.isPending ? (
        <LoadingState />
      ) : grants.isError ? (
        <ErrorState error={grants.error} onRetry={() => void grants.refetch()} />
      ) : (
        <Stack gap="md">
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              {t('apps.grants.given')}
            </Text>
            {given.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('apps.grants.givenEmpty')}
              </Text>
            ) : (
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('apps.grants.application')}</Table.Th>
                    <Table.Th>{t('apps.grants.access')}</Table.Th>
                    <Table.Th>{t('apps.grants.since')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {given.map((g) => (
                    <GivenGrantRow key={g.granteeAppId} grant={g} appId={app.appId} />
                  ))}
                </Table.Tbody>
              </Table>
            )}
            <NewGrantForm app={app} candidates={candidates} />
          </Stack>
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              {t('apps.grants.received')}
            </Text>
            {grants.data.received.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('apps.grants.receivedEmpty')}
              </Text>
            ) : (
              <Group gap="md">
                {grants.data.received.map((g) => (
                  <Group key={g.ownerAppId} gap="xs" data-testid="received-grant">
                    <AppName name={g.ownerName} appId={g.ownerAppId} />
                    <StatusBadge tone={g.access === 'edit' ? 'busy' : 'neutral'}>
                      {t(`apps.grants.accessNames.${g.access}`)}
                    </StatusBadge>
                  </Group>
                ))}
              </Group>
            )}
          </Stack>
        </Stack>
      )}
    </Card>
  );
}
