// One device: details and status, how to connect it with mosquitto_pub, its latest values and recent history.
import { Anchor, Button, Card, Code, CopyButton, Grid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { usePlatformInfo } from '../../api/platformQueries.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { iotdaSnippet, legacySnippet } from './connectionSnippet.js';
import { DeviceStatusBadge } from './DeviceStatusBadge.js';
import { useDevice, useHistory, useLatestData } from './deviceQueries.js';

function Snippet({ text, testId }: { text: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} align="flex-end">
      <CopyButton value={text} timeout={1500}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="default" onClick={copy}>
            {copied ? t('common.copied') : t('common.copy')}
          </Button>
        )}
      </CopyButton>
      <Code block data-testid={testId} style={{ overflowX: 'auto', whiteSpace: 'pre', width: '100%' }}>
        {text}
      </Code>
    </Stack>
  );
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function DevicePage() {
  const { t } = useTranslation();
  const deviceId = useParams().deviceId ?? '';
  const device = useDevice(deviceId);
  const latest = useLatestData(deviceId);
  const history = useHistory(deviceId);
  const platform = usePlatformInfo();

  if (device.isPending) return <LoadingState />;
  if (device.isError) return <ErrorState error={device.error} onRetry={() => void device.refetch()} />;
  const d = device.data;
  const mqttPort = platform.data?.ports.mqtt ?? 1883;
  const firstService = latest.data?.services[0];
  const snippetInput = {
    deviceId: d.deviceId,
    host: '127.0.0.1',
    port: mqttPort,
    ...(firstService ? { serviceId: firstService.serviceId, propertyName: Object.keys(firstService.data)[0] } : {}),
  };

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/devices" size="sm">
        {t('devices.back')}
      </Anchor>
      <PageHeader
        title={d.name ?? d.nodeId}
        description={d.deviceId}
        actions={<DeviceStatusBadge status={d.status} />}
      />
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder padding="md">
            <Title order={3} size="h5" mb="sm">
              {t('devices.page.details')}
            </Title>
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.deviceId')}</Table.Th>
                  <Table.Td>
                    <CopyableValue value={d.deviceId} label={t('devices.fields.deviceId')} />
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.nodeId')}</Table.Th>
                  <Table.Td ff="monospace">{d.nodeId}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.product')}</Table.Th>
                  <Table.Td>
                    <Anchor component={Link} to={`/products/${d.productId}`} ff="monospace">
                      {d.productId}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.protocol')}</Table.Th>
                  <Table.Td>{d.protocolType}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('devices.fields.lastSeen')}</Table.Th>
                  <Table.Td>{d.lastSeenAt ? new Date(d.lastSeenAt).toLocaleString() : '–'}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder padding="md">
            <Title order={3} size="h5" mb="xs">
              {t('devices.page.connect')}
            </Title>
            <Text size="sm" c="dimmed" mb="xs">
              {t('devices.page.connectHint')}
            </Text>
            <Tabs defaultValue="iotda">
              <Tabs.List>
                <Tabs.Tab value="iotda">{t('devices.page.iotda')}</Tabs.Tab>
                <Tabs.Tab value="legacy">{t('devices.page.legacy')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="iotda" pt="xs">
                <Snippet text={iotdaSnippet(snippetInput)} testId="snippet-iotda" />
              </Tabs.Panel>
              <Tabs.Panel value="legacy" pt="xs">
                <Snippet text={legacySnippet(snippetInput)} testId="snippet-legacy" />
              </Tabs.Panel>
            </Tabs>
          </Card>
        </Grid.Col>
      </Grid>
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="sm">
          {t('devices.page.latest')}
        </Title>
        {latest.data?.services.length ? (
          <Table data-testid="latest-data">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('devices.data.service')}</Table.Th>
                <Table.Th>{t('devices.data.property')}</Table.Th>
                <Table.Th>{t('devices.data.value')}</Table.Th>
                <Table.Th>{t('devices.data.eventTime')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {latest.data.services.flatMap((s) =>
                Object.entries(s.data).map(([property, value]) => (
                  <Table.Tr key={`${s.serviceId}.${property}`}>
                    <Table.Td>{s.serviceId}</Table.Td>
                    <Table.Td>{property}</Table.Td>
                    <Table.Td ff="monospace">{asText(value)}</Table.Td>
                    <Table.Td>{new Date(s.eventTime).toLocaleString()}</Table.Td>
                  </Table.Tr>
                )),
              )}
            </Table.Tbody>
          </Table>
        ) : (
          <EmptyState title={t('devices.page.noData')}>{t('devices.page.noDataHint')}</EmptyState>
        )}
      </Card>
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="sm">
          {t('devices.page.history')}
        </Title>
        {history.data?.items.length ? (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('devices.data.eventTime')}</Table.Th>
                <Table.Th>{t('devices.data.service')}</Table.Th>
                <Table.Th>{t('devices.data.property')}</Table.Th>
                <Table.Th>{t('devices.data.value')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.items.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td>{new Date(h.eventTime).toLocaleString()}</Table.Td>
                  <Table.Td>{h.serviceId}</Table.Td>
                  <Table.Td>{h.property}</Table.Td>
                  <Table.Td ff="monospace">{asText(h.value)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm" c="dimmed">
            {t('devices.page.noHistory')}
          </Text>
        )}
      </Card>
    </Stack>
  );
}
