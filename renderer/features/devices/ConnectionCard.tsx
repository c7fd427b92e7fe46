// How to connect this device: broker address, the login for the current hour (when the secret is pasted),
// and copy-paste snippets for mosquitto_pub in both dialects, Python paho and the IoTDA device SDK.
import {
  Alert,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  PasswordInput,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../core/contract/index.js';
import { usePlatformInfo } from '../../api/platformQueries.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { useProduct, useProductSecret } from '../products/productQueries.js';
import {
  deviceSdkSnippet,
  dynamicPahoSnippet,
  dynamicSnippet,
  exampleProperty,
  iotdaSnippet,
  legacySnippet,
  mqttLoginFor,
  pahoSnippet,
  type MqttLogin,
  type SnippetInput,
} from './connectionSnippet.js';

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

/** Addresses a device can reach the broker on: loopback, plus the LAN addresses when it listens on all. */
function brokerHosts(info: ReturnType<typeof usePlatformInfo>['data']): string[] {
  const listener = info?.listeners.find((l) => l.name === 'mqtt' && l.protocol === 'tcp');
  const address = listener?.address ?? '127.0.0.1';
  if (address !== '0.0.0.0' && address !== '::') return [address];
  const lan = (info?.hostAddresses ?? []).filter((a) => !a.internal && a.family === 'IPv4').map((a) => a.address);
  return ['127.0.0.1', ...lan];
}

/** The login for the current hour, recomputed when the hour turns. */
function useHourlyLogin(deviceId: string, secret: string): MqttLogin | undefined {
  const [computed, setComputed] = useState<{ for: string; login: MqttLogin }>();
  const [hour, setHour] = useState(() => Math.floor(Date.now() / 3_600_000));
  useEffect(() => {
    const timer = setInterval(() => setHour(Math.floor(Date.now() / 3_600_000)), 30_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    let current = true;
    if (secret)
      void mqttLoginFor(deviceId, secret, new Date(hour * 3_600_000)).then((login) => {
        if (current) setComputed({ for: `${deviceId}\n${secret}\n${hour}`, login });
      });
    return () => {
      current = false;
    };
  }, [deviceId, secret, hour]);
  return computed?.for === `${deviceId}\n${secret}\n${hour}` ? computed.login : undefined;
}

export interface ConnectionCardProps {
  device: Device;
  secret: string;
  onSecretChange: (secret: string) => void;
}

export function ConnectionCard({ device, secret, onSecretChange }: ConnectionCardProps) {
  const { t } = useTranslation();
  const platform = usePlatformInfo();
  const product = useProduct(device.productId);
  const hosts = brokerHosts(platform.data);
  const [host, setHost] = useState<string | null>(null);
  const login = useHourlyLogin(device.deviceId, secret);
  const productSecret = useProductSecret(device.productId, device.protocolType === 'MQTT');

  if (device.protocolType !== 'MQTT') {
    return (
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="xs">
          {t('devices.connect.title')}
        </Title>
        <Text size="sm">
          {t('devices.connect.nbiot', { port: platform.data?.ports.coap ?? 5683, protocol: device.protocolType })}
        </Text>
      </Card>
    );
  }

  const input: SnippetInput = {
    deviceId: device.deviceId,
    host: host ?? hosts[0] ?? '127.0.0.1',
    port: platform.data?.ports.mqtt ?? 1883,
    ...exampleProperty(product.data?.model.services ?? []),
    ...(secret ? { secret } : {}),
  };
  const withLogin = login ? { ...input, login } : input;
  const dynamicInput = {
    ...input,
    productId: device.productId,
    nodeId: device.nodeId,
    ...(productSecret.data ? { productSecret: productSecret.data.secret } : {}),
  };

  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="xs">
        {t('devices.connect.title')}
      </Title>
      <Stack gap="sm">
        <Group grow align="flex-start">
          <Select
            label={t('devices.connect.host')}
            description={t('devices.connect.hostHint')}
            data={hosts}
            value={input.host}
            onChange={setHost}
            allowDeselect={false}
          />
          <PasswordInput
            label={t('devices.connect.secret')}
            description={t('devices.connect.secretHint')}
            value={secret}
            onChange={(e) => onSecretChange(e.currentTarget.value)}
            autoComplete="off"
          />
        </Group>
        {login ? (
          <Table data-testid="hour-login" layout="fixed">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={110}>{t('devices.connect.clientId')}</Table.Th>
                <Table.Td>
                  <CopyableValue value={login.clientId} label={t('devices.connect.clientId')} size="xs" />
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('devices.connect.username')}</Table.Th>
                <Table.Td>
                  <CopyableValue value={login.username} label={t('devices.connect.username')} size="xs" />
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('devices.connect.password')}</Table.Th>
                <Table.Td>
                  <CopyableValue value={login.password} label={t('devices.connect.password')} size="xs" />
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        ) : (
          <Alert variant="light" color="blue" p="xs">
            <Text size="xs">{t('devices.connect.noSecret')}</Text>
          </Alert>
        )}
        <Text size="xs" c="dimmed">
          {t('devices.connect.loginHint')}
        </Text>
        <Tabs defaultValue="iotda" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="iotda">{t('devices.connect.iotda')}</Tabs.Tab>
            <Tabs.Tab value="legacy">{t('devices.connect.legacy')}</Tabs.Tab>
            <Tabs.Tab value="paho">{t('devices.connect.paho')}</Tabs.Tab>
            <Tabs.Tab value="sdk">{t('devices.connect.sdk')}</Tabs.Tab>
            <Tabs.Tab value="dynamic">{t('devices.connect.dynamic')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="iotda" pt="xs">
            <Snippet text={iotdaSnippet(withLogin)} testId="snippet-iotda" />
          </Tabs.Panel>
          <Tabs.Panel value="legacy" pt="xs">
            <Snippet text={legacySnippet(withLogin)} testId="snippet-legacy" />
          </Tabs.Panel>
          <Tabs.Panel value="paho" pt="xs">
            <Snippet text={pahoSnippet(input)} testId="snippet-paho" />
          </Tabs.Panel>
          <Tabs.Panel value="sdk" pt="xs">
            <Text size="xs" c="dimmed" mb={4}>
              {t('devices.connect.sdkHint')}
            </Text>
            <Snippet text={deviceSdkSnippet(input)} testId="snippet-sdk" />
          </Tabs.Panel>
          <Tabs.Panel value="dynamic" pt="xs">
            <Text size="xs" c="dimmed" mb={4}>
              {t('devices.connect.dynamicHint')}
            </Text>
            <Stack gap="xs">
              <Text size="xs" fw={500}>
                {t('devices.connect.dynamicShell')}
              </Text>
              <Snippet text={dynamicSnippet(dynamicInput)} testId="snippet-dynamic" />
              <Text size="xs" fw={500}>
                {t('devices.connect.dynamicPaho')}
              </Text>
              <Snippet text={dynamicPahoSnippet(dynamicInput)} testId="snippet-dynamic-paho" />
            </Stack>
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </Card>
  );
}
