// Product models: search, filter by protocol, device counts; samples and import when there are none yet.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { protocolTypes, type ProtocolType } from '../../../core/contract/index.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { CreateProductModal } from './CreateProductModal.js';
import { ImportDropzone } from './ImportDropzone.js';
import { useProductList } from './productQueries.js';
import { SampleProducts } from './SampleProducts.js';
import { formatDateTime } from '../../app/i18n.js';

const PAGE_SIZE = 25;

export function ProductsListPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [protocolType, setProtocolType] = useState<ProtocolType | null>(null);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const query = {
    q: q === '' ? undefined : q,
    protocolType: protocolType ?? undefined,
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
  const list = useProductList(query);
  const filtered = query.q !== undefined || query.protocolType !== undefined;
  const firstVisit = list.data?.total === 0 && !filtered;

  return (
    <Stack gap="md">
      <PageHeader
        title={t('products.title')}
        description={t('products.description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} variant="default" onClick={() => setCreating(true)}>
            {t('products.create.open')}
          </Button>
        }
      />
      <ImportDropzone compact={!firstVisit} />
      {list.isPending ? (
        <LoadingState />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : firstVisit ? (
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <EmptyState title={t('products.empty.title')}>{t('products.empty.hint')}</EmptyState>
            <Title order={3} size="h5">
              {t('products.samples.title')}
            </Title>
            <SampleProducts />
          </Stack>
        </Card>
      ) : (
        <Card withBorder padding="md">
          <Group mb="sm" gap="sm">
            <TextInput
              placeholder={t('products.list.search')}
              aria-label={t('products.list.search')}
              leftSection={<IconSearch size={14} />}
              value={search}
              onChange={(e) => {
                setSearch(e.currentTarget.value);
                setPage(1);
              }}
              w={320}
            />
            <Select
              aria-label={t('products.list.protocol')}
              placeholder={t('products.list.allProtocols')}
              data={protocolTypes.map((p) => ({ value: p, label: p }))}
              value={protocolType}
              onChange={(value) => {
                setProtocolType(value);
                setPage(1);
              }}
              clearable
              w={180}
            />
          </Group>
          {list.data.items.length === 0 ? (
            <EmptyState title={t('products.list.noMatch')} />
          ) : (
            <Table striped highlightOnHover aria-label={t('products.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('products.fields.deviceType')}</Table.Th>
                  <Table.Th>{t('products.fields.model')}</Table.Th>
                  <Table.Th>{t('products.fields.manufacturer')}</Table.Th>
                  <Table.Th>{t('products.fields.protocolType')}</Table.Th>
                  <Table.Th ta="right">{t('products.list.services')}</Table.Th>
                  <Table.Th ta="right">{t('products.list.devices')}</Table.Th>
                  <Table.Th>{t('products.list.updated')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((p) => (
                  <Table.Tr key={p.id} data-testid="product-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${p.id}`} fw={500}>
                        {p.deviceType}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ff="monospace">{p.model}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{p.manufacturerName}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {p.manufacturerId}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{p.protocolType}</Badge>
                    </Table.Td>
                    <Table.Td ta="right">{p.serviceCount}</Table.Td>
                    <Table.Td ta="right" data-testid="product-device-count">
                      {p.deviceCount}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(p.updatedAt)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {list.data.total > PAGE_SIZE && (
            <Group justify="flex-end" mt="sm">
              <Pagination total={Math.ceil(list.data.total / PAGE_SIZE)} value={page} onChange={setPage} size="sm" />
            </Group>
          )}
        </Card>
      )}
      {!firstVisit && list.isSuccess && (
        <Card withBorder padding="md">
          <Title order={3} size="h5" mb="xs">
            {t('products.samples.title')}
          </Title>
          <SampleProducts />
        </Card>
      )}
      <CreateProductModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
