// One product: identity in the header, export and delete, and its tabs (see productTabs).
import { Alert, Anchor, Badge, Button, Group, Modal, Stack, Tabs, Text } from '@mantine/core';
import { IconArrowLeft, IconDownload, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { describeApiError } from '../../api/errorNotifications.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useDeleteProduct, useExportProduct, useProduct } from './productQueries.js';
import { productTabs } from './productTabs.js';

export function ProductPage() {
  const { t } = useTranslation();
  const { id = '', tab } = useParams();
  const navigate = useNavigate();
  const product = useProduct(id);
  const exportZip = useExportProduct();
  const remove = useDeleteProduct();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const active = productTabs.some((p) => p.value === tab) ? tab! : 'overview';

  const back = (
    <Anchor component={Link} to="/products" size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('products.title')}
      </Group>
    </Anchor>
  );
  if (product.isPending) return <LoadingState />;
  if (product.isError)
    return (
      <Stack>
        {back}
        <ErrorState error={product.error} onRetry={() => void product.refetch()} />
      </Stack>
    );
  const { model, deviceCount } = product.data;

  return (
    <Stack gap="md">
      {back}
      <PageHeader
        title={`${model.deviceType} · ${model.model}`}
        description={
          <Group gap="xs" component="span">
            <Badge variant="light">{model.protocolType}</Badge>
            <span>
              {model.manufacturerName} ({model.manufacturerId})
            </span>
          </Group>
        }
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} />}
              loading={exportZip.isPending}
              onClick={() => exportZip.mutate(id)}
            >
              {t('products.export')}
            </Button>
            <Button
              variant="light"
              color="red"
              leftSection={<IconTrash size={16} />}
              onClick={() => setConfirmDelete(true)}
              disabled={deviceCount > 0}
              title={deviceCount > 0 ? t('products.delete.inUse', { count: deviceCount }) : undefined}
            >
              {t('products.delete.button')}
            </Button>
          </>
        }
      />
      {exportZip.isError && <ErrorState error={exportZip.error} />}
      <Tabs value={active} onChange={(value) => value && void navigate(`/products/${id}/${value}`)} keepMounted={false}>
        <Tabs.List>
          {productTabs.map(({ value, labelKey }) => (
            <Tabs.Tab key={value} value={value}>
              {t(labelKey)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {productTabs.map(
          ({ value, Panel }) =>
            Panel && (
              <Tabs.Panel key={value} value={value} pt="md">
                <Panel product={product.data} />
              </Tabs.Panel>
            ),
        )}
      </Tabs>
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={t('products.delete.title')}>
        <Stack>
          <Text size="sm">{t('products.delete.confirm', { name: `${model.deviceType} ${model.model}` })}</Text>
          {remove.isError && <Alert color="red">{describeApiError(remove.error).message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              {t('products.common.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(id, { onSuccess: () => void navigate('/products') })}
            >
              {t('products.delete.button')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
