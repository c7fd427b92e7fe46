// "Point a device here": the MQTT and CoAP URLs of this machine and the NB-IoT AT command, ready to copy.
import { Alert, Card, Stack, Table, Text, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { PlatformInfo } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { deviceEndpoints } from './deviceEndpoints.js';

export function DevicePointing({ info }: { info: PlatformInfo }) {
  const { t } = useTranslation();
  const { problem, endpoints } = deviceEndpoints(info);
  const notListening = (
    <Text size="sm" c="dimmed">
      {t('overview.pointing.notListening')}
    </Text>
  );

  return (
    <Card withBorder padding="md">
      <Stack gap="xs">
        <div>
          <Title order={3} size="h5">
            {t('overview.pointing.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('overview.pointing.description')}
          </Text>
        </div>
        {problem && (
          <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} data-testid="lan-unreachable">
            {t(problem === 'no-lan-address' ? 'overview.pointing.noLanAddress' : 'overview.pointing.boundToLoopback')}
          </Alert>
        )}
        <Table withRowBorders verticalSpacing={6} aria-label={t('overview.pointing.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('overview.pointing.address')}</Table.Th>
              <Table.Th>{t('overview.pointing.mqtt')}</Table.Th>
              <Table.Th>{t('overview.pointing.coap')}</Table.Th>
              <Table.Th>{t('overview.pointing.nbiot')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.map((endpoint) => (
              <Table.Tr key={endpoint.address} data-testid="device-endpoint">
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {endpoint.address}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {endpoint.interfaceName === 'loopback'
                      ? t('overview.pointing.thisMachineOnly')
                      : endpoint.interfaceName}
                  </Text>
                </Table.Td>
                <Table.Td data-testid="mqtt-url">
                  {endpoint.mqttUrl ? (
                    <CopyableValue value={endpoint.mqttUrl} label={t('overview.pointing.mqtt')} />
                  ) : (
                    notListening
                  )}
                </Table.Td>
                <Table.Td data-testid="coap-url">
                  {endpoint.coapUrl ? (
                    <CopyableValue value={endpoint.coapUrl} label={t('overview.pointing.coap')} />
                  ) : (
                    notListening
                  )}
                </Table.Td>
                <Table.Td>
                  {endpoint.nbiotCommand ? (
                    <CopyableValue value={endpoint.nbiotCommand} label={t('overview.pointing.nbiot')} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('overview.pointing.nbiotIpv4Only')}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          {t('overview.pointing.nbiotHint')}
        </Text>
      </Stack>
    </Card>
  );
}
