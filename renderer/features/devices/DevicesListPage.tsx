// Registered devices: counts per status (also the status filter), product, group, tag and nodeId/name filters, a
// virtual list over server pages with a selection for bulk actions, single and CSV batch registration, and the
// deviceId + secret export.
import { Button, Card, Group, Menu, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconFileImport, IconPlus, IconSearch, IconSend } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { DeviceStatus } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { BatchCommandModal } from '../commands/BatchCommandModal.js';
import { groupLabel, flattenTree } from '../groups/groupTree.js';
import { useBindDevices, useGroupTree, useTagDevices, useTags } from '../groups/groupQueries.js';
import { BatchRegisterModal } from './BatchRegisterModal.js';
import { ProductSelect, useRegistrableProducts } from './ProductSelect.js';
import { useCsvDownload, useDeviceCounts, type DeviceFilter } from './deviceQueries.js';
import { RegisterDeviceModal } from './RegisterDeviceModal.js';
import { StatusCountFilter } from './StatusCountFilter.js';
import { VirtualDeviceTable } from './VirtualDeviceTable.js';
import { useGatewayList } from '../gateways/gatewayQueries.js';

/** The API takes up to 10,000 device ids per bulk call. */
const MAX_SELECTED = 10_000;

export function DevicesListPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [status, setStatus] = useState<DeviceStatus | undefined>();
  const [productId, setProductId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'single' | 'batch' | 'command' | undefined>();
  const [params] = useSearchParams();
  const [groupId, setGroupId] = useState<string | null>(params.get('groupId'));
  const [tagId, setTagId] = useState<string | null>(params.get('tagId'));
  const [gatewayId, setGatewayId] = useState<string | null>(params.get('gatewayId'));
  const gateways = useGatewayList();
  const gatewayOptions = (gateways.data?.items ?? []).map((g) => ({ value: g.deviceId, label: g.name ?? g.nodeId }));
  const gatewayName = (id: string) => gatewayOptions.find((g) => g.value === id)?.label;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const groups = useGroupTree();
  const tags = useTags();
  const bind = useBindDevices();
  const tag = useTagDevices();
  const groupOptions = flattenTree(groups.data?.roots ?? []).map((g) => ({
    value: g.node.id,
    label: [...g.path.slice(0, -1), groupLabel(g.node, t)].join(' / '),
  }));
  const tagOptions = (tags.data?.tags ?? []).map((tg) => ({
    value: tg.id,
    label: tg.value ? `${tg.key}=${tg.value}` : tg.key,
  }));
  const selection = {
    has: (id: string) => selected.has(id),
    toggle: (id: string, on: boolean) =>
      setSelected((current) => {
        const next = new Set(current);
        if (on && next.size < MAX_SELECTED) next.add(id);
        else if (!on) next.delete(id);
        return next;
      }),
  };
  const bulkError = bind.error ?? tag.error;
  const products = useRegistrableProducts();
  const counts = useDeviceCounts(productId ?? undefined);
  const download = useCsvDownload();

  const filter: DeviceFilter = {
    ...(status ? { status } : {}),
    ...(productId ? { productId } : {}),
    ...(q ? { search: q } : {}),
    ...(groupId ? { groupId } : {}),
    ...(tagId ? { tagId } : {}),
    ...(gatewayId ? { gatewayId } : {}),
  };
  const productItems = products.data?.items ?? [];
  const productLabel = (id: string) => {
    const p = productItems.find((x) => x.id === id);
    return p ? `${p.deviceType} · ${p.model}` : undefined;
  };

  return (
    <Stack gap="md">
      <PageHeader
        title={t('devices.title')}
        description={t('devices.description')}
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} />}
              loading={download.isPending}
              onClick={() => download.mutate({ kind: 'secrets', ...(productId ? { productId } : {}) })}
              title={t('devices.export.hint')}
            >
              {t('devices.export.open')}
            </Button>
            <Button variant="default" leftSection={<IconSend size={16} />} onClick={() => setDialog('command')}>
              {t('commands.batch.open')}
            </Button>
            <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setDialog('batch')}>
              {t('devices.batch.open')}
            </Button>
            <Button leftSection={<IconPlus size={16} />} onClick={() => setDialog('single')}>
              {t('devices.register.open')}
            </Button>
          </>
        }
      />
      <StatusCountFilter counts={counts.data} value={status} onChange={setStatus} />
      <Card withBorder padding="md">
        <Group mb="sm" gap="sm">
          <TextInput
            placeholder={t('devices.list.search')}
            aria-label={t('devices.list.search')}
            leftSection={<IconSearch size={14} />}
            w={280}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
          <ProductSelect
            aria-label={t('devices.fields.product')}
            placeholder={t('devices.list.anyProduct')}
            clearable
            w={280}
            value={productId}
            onChange={setProductId}
          />
          <Select
            aria-label={t('devices.list.group')}
            placeholder={t('devices.list.anyGroup')}
            data={groupOptions}
            value={groupId}
            onChange={setGroupId}
            clearable
            searchable
            w={220}
          />
          <Select
            aria-label={t('devices.list.tag')}
            placeholder={t('devices.list.anyTag')}
            data={tagOptions}
            value={tagId}
            onChange={setTagId}
            clearable
            searchable
            w={180}
          />
          <Select
            aria-label={t('gateways.list.filter')}
            placeholder={t('gateways.list.any')}
            data={gatewayOptions}
            value={gatewayId}
            onChange={setGatewayId}
            clearable
            searchable
            w={200}
          />
        </Group>
        {selected.size > 0 && (
          <Group mb="sm" gap="sm" data-testid="bulk-bar">
            <Text size="sm" fw={500}>
              {t('devices.bulk.selected', { count: selected.size })}
            </Text>
            <Menu withinPortal>
              <Menu.Target>
                <Button size="xs" variant="default" loading={bind.isPending}>
                  {t('devices.bulk.toGroup')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                {groupOptions.map((g) => (
                  <Menu.Item
                    key={g.value}
                    onClick={() =>
                      bind.mutate(
                        { groupId: g.value, deviceIds: [...selected] },
                        { onSuccess: () => setSelected(new Set()) },
                      )
                    }
                  >
                    {g.label}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            <Menu withinPortal>
              <Menu.Target>
                <Button size="xs" variant="default" loading={tag.isPending} disabled={tagOptions.length === 0}>
                  {t('devices.bulk.tag')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                {tagOptions.map((tg) => (
                  <Menu.Item
                    key={tg.value}
                    onClick={() =>
                      tag.mutate(
                        { tagId: tg.value, deviceIds: [...selected] },
                        { onSuccess: () => setSelected(new Set()) },
                      )
                    }
                  >
                    {tg.label}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            <Button size="xs" variant="default" onClick={() => setDialog('command')}>
              {t('commands.batch.open')}
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
              {t('devices.bulk.clear')}
            </Button>
            {selected.size >= MAX_SELECTED && (
              <Text size="xs" c="orange">
                {t('devices.bulk.limit', { max: MAX_SELECTED })}
              </Text>
            )}
            {bulkError && (
              <Text size="sm" c="red" role="alert">
                {describeApiError(bulkError).message}
              </Text>
            )}
          </Group>
        )}
        <VirtualDeviceTable
          filter={filter}
          productName={productLabel}
          gatewayName={gatewayName}
          selection={selection}
          onClearFilters={() => {
            setSearch('');
            setStatus(undefined);
            setProductId(null);
            setGroupId(null);
            setTagId(null);
            setGatewayId(null);
          }}
        />
      </Card>
      <RegisterDeviceModal opened={dialog === 'single'} onClose={() => setDialog(undefined)} />
      <BatchRegisterModal
        opened={dialog === 'batch'}
        onClose={() => setDialog(undefined)}
        defaultProductId={productId ?? undefined}
      />
      {dialog === 'command' && (
        <BatchCommandModal
          opened
          onClose={() => setDialog(undefined)}
          defaultProductId={productId ?? undefined}
          selectedDeviceIds={[...selected]}
        />
      )}
    </Stack>
  );
}
