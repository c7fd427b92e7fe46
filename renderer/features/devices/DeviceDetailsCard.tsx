// A device's identity and state, with its name editable in place.
import { ActionIcon, Anchor, Button, Card, Group, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Device } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { useProduct } from '../products/productQueries.js';
import { SubDeviceGateway } from '../gateways/SubDeviceGateway.js';
import { AgentLiteBindState, hasBindState } from '../gateways/AgentLiteBindState.js';
import { useUpdateDevice } from './deviceQueries.js';
import { formatDateTime } from '../../app/i18n.js';

function NameField({ device }: { device: Device }) {
  const { t } = useTranslation();
  const update = useUpdateDevice(device.deviceId);
  const [draft, setDraft] = useState<string>();
  if (draft === undefined)
    return (
      <Group gap={4} wrap="nowrap">
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {device.name ?? '–'}
        </Text>
        <Tooltip label={t('devices.edit.name')}>
          <ActionIcon
            variant="subtle"
            size="sm"
            aria-label={t('devices.edit.name')}
            onClick={() => setDraft(device.name ?? '')}
          >
            <IconPencil size={14} />
          </ActionIcon>
        </Tooltip>
      </Group>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(draft.trim() || null, { onSuccess: () => setDraft(undefined) });
      }}
    >
      <Group gap={4} wrap="nowrap">
        <TextInput
          size="xs"
          aria-label={t('devices.fields.name')}
          value={draft}
          maxLength={128}
          autoFocus
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setDraft(undefined);
          }}
          error={update.error?.message}
        />
        <Button size="compact-sm" type="submit" loading={update.isPending}>
          {t('devices.edit.save')}
        </Button>
        <Button size="compact-sm" variant="default" onClick={() => setDraft(undefined)}>
          {t('devices.register.cancel')}
        </Button>
      </Group>
    </form>
  );
}

export function DeviceDetailsCard({ device: d }: { device: Device }) {
  const { t } = useTranslation();
  const product = useProduct(d.productId);
  const model = product.data?.model;
  const rows: [string, ReactNode][] = [
    [t('devices.fields.deviceId'), <CopyableValue key="id" value={d.deviceId} label={t('devices.fields.deviceId')} />],
    [t('devices.fields.nodeId'), <CopyableValue key="node" value={d.nodeId} label={t('devices.fields.nodeId')} />],
    [t('devices.fields.name'), <NameField key="name" device={d} />],
    [
      t('devices.fields.product'),
      <Anchor key="product" component={Link} to={`/products/${d.productId}`} size="sm">
        {model ? `${model.deviceType} · ${model.model}` : d.productId}
      </Anchor>,
    ],
    [t('devices.fields.protocol'), d.protocolType],
    ...(d.gatewayId !== undefined
      ? [
          [t('gateways.sub.gateway'), <SubDeviceGateway key="gateway" device={{ ...d, gatewayId: d.gatewayId }} />] as [
            string,
            ReactNode,
          ],
        ]
      : []),
    [t('devices.fields.created'), formatDateTime(d.createdAt)],
    [t('devices.fields.lastSeen'), d.lastSeenAt ? formatDateTime(d.lastSeenAt) : '–'],
  ];
  if (hasBindState(d)) rows.push([t('gateways.bind.label'), <AgentLiteBindState key="bind" device={d} />]);
  if (d.verifyCode) {
    rows.push([t('devices.fields.verifyCode'), d.verifyCode]);
    rows.push([
      t('devices.fields.activationDeadline'),
      d.activationDeadline ? formatDateTime(d.activationDeadline) : t('devices.register.noDeadline'),
    ]);
  }
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="sm">
        {t('devices.page.details')}
      </Title>
      <Table layout="fixed" data-testid="device-details">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={130} style={{ verticalAlign: 'top' }}>
                {label}
              </Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
