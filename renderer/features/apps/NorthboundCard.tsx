// Where application servers reach the northbound API: base URL, TLS setup, and curl commands to log in and call.
import { Alert, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Application } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { CommandBlock } from './CommandBlock.js';
import { useNorthboundEndpoint } from './appQueries.js';
import { curlDevicesSnippet, curlLoginSnippet } from './northboundSnippets.js';

function Labelled({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <CopyableValue value={value} label={label} size="sm" />
    </Stack>
  );
}

/** `app`: whose appId the examples use (the default application on the list). */
export function NorthboundCard({ app }: { app: Application | undefined }) {
  const { t } = useTranslation();
  const endpoint = useNorthboundEndpoint();
  const data = endpoint.data;
  return (
    <Card withBorder padding="md" data-testid="northbound-card">
      <Group gap="xs" mb="xs">
        <Title order={3} size="h5">
          {t('apps.northbound.title')}
        </Title>
        {data?.enabled && (
          <StatusBadge tone={data.tls ? 'ok' : 'neutral'}>
            {data.tls ? t('apps.northbound.https') : t('apps.northbound.http')}
          </StatusBadge>
        )}
        {data?.clientCaFile !== undefined && <StatusBadge tone="busy">{t('apps.northbound.mutualTls')}</StatusBadge>}
      </Group>
      {data && !data.enabled ? (
        <Text size="sm" c="dimmed">
          {t('apps.northbound.disabled')}
        </Text>
      ) : data ? (
        <Stack gap="sm">
          <Group gap="xl" align="flex-start">
            <Labelled label={t('apps.northbound.baseUrl')} value={data.baseUrl ?? ''} />
            {data.certFile !== undefined && <Labelled label={t('apps.northbound.certFile')} value={data.certFile} />}
            {data.clientCaFile !== undefined && (
              <Labelled label={t('apps.northbound.clientCa')} value={data.clientCaFile} />
            )}
          </Group>
          {data.fingerprint256 !== undefined && (
            <Labelled label={t('apps.northbound.fingerprint')} value={data.fingerprint256} />
          )}
          {!data.tls && (
            <Alert color="gray" variant="light" p="xs">
              <Text size="xs">{t('apps.northbound.plainHint')}</Text>
            </Alert>
          )}
          {app && (
            <>
              <CommandBlock
                label={t('apps.northbound.loginExample', { name: app.name })}
                command={curlLoginSnippet(data, app.appId)}
                testId="northbound-login-snippet"
              />
              <CommandBlock
                label={t('apps.northbound.callExample')}
                command={curlDevicesSnippet(data, app.appId)}
                testId="northbound-call-snippet"
              />
            </>
          )}
        </Stack>
      ) : null}
    </Card>
  );
}
