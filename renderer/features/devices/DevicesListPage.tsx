// Registered devices: counts per status (also the status filter), product and nodeId/name filters, a virtual
// list over server pages, single and CSV batch registration, and the deviceId + secret export.
import { Button, Card, Group, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconFileImport, IconPlus, IconSearch, IconSend } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceStatus } from '../../../core/contract/index.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { BatchCommandModal } from '../commands/BatchCommandModal.js';
import { BatchRegisterModal } from './BatchRegisterModal.js';
import { ProductSelect, useRegistrableProducts } from './ProductSelect.js';
import { useCsvDownload, useDeviceCounts, type DeviceFilter } from './deviceQueries.js';
import { RegisterDeviceModal } from './RegisterDeviceModal.js';
import { StatusCountFilter } from './StatusCountFilter.js';
import { VirtualDeviceTable } from './VirtualDeviceTable.js';

export function DevicesListPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [status, setStatus] = useState<DeviceStatus | undefined>();
  const [productId, setProductId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'single' | 'batch' | 'command' | undefined>();
  const products = useRegistrableProducts();
  const counts = useDeviceCounts(productId ?? undefined);
  const download = useCsvDownload();

  const filter: DeviceFilter = {
    ...(status ? { status } : {}),
    ...(productId ? { productId } : {}),
    ...(q ? { search: q } : {}),
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
        </Group>
        <VirtualDeviceTable
          filter={filter}
          productName={productLabel}
          onClearFilters={() => {
            setSearch('');
            setStatus(undefined);
            setProductId(null);
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
        <BatchCommandModal opened onClose={() => setDialog(undefined)} defaultProductId={productId ?? undefined} />
      )}
    </Stack>
  );
}
