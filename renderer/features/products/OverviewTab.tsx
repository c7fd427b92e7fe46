// Identity, counts and the non-blocking findings of a product.
import { Alert, Card, Code, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { ProductSecretCard } from './ProductSecretCard.js';
import type { ProductTabProps } from './productTabs.js';
import { formatDateTime } from '../../app/i18n.js';

export function OverviewTab({ product }: ProductTabProps) {
  const { t } = useTranslation();
  const { model } = product;
  const rows: [string, string][] = [
    [t('products.fields.deviceType'), model.deviceType],
    [t('products.fields.model'), model.model],
    [t('products.fields.manufacturerId'), model.manufacturerId],
    [t('products.fields.manufacturerName'), model.manufacturerName],
    [t('products.fields.protocolType'), model.protocolType],
  ];
  const commands = model.services.reduce((n, s) => n + s.commands.length, 0);
  const properties = model.services.reduce((n, s) => n + s.properties.length, 0);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">
            {t('products.overview.identity')}
          </Title>
          <Table withRowBorders={false}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={180}>{t('products.overview.productId')}</Table.Th>
                <Table.Td>
                  <CopyableValue value={product.id} label={t('products.overview.productId')} />
                </Table.Td>
              </Table.Tr>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th>{label}</Table.Th>
                  <Table.Td ff="monospace">{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed" mt="xs">
            {t('products.overview.deviceIdHint')} <Code>{`${product.id}_<nodeId>`}</Code>
          </Text>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">
            {t('products.overview.summary')}
          </Title>
          <Table withRowBorders={false}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={180}>{t('products.list.services')}</Table.Th>
                <Table.Td data-testid="overview-service-count">{model.services.length}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('products.overview.properties')}</Table.Th>
                <Table.Td>{properties}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('products.overview.commands')}</Table.Th>
                <Table.Td>{commands}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('products.list.devices')}</Table.Th>
                <Table.Td>{product.deviceCount}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('products.overview.version')}</Table.Th>
                <Table.Td>{product.version}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('products.list.updated')}</Table.Th>
                <Table.Td>{formatDateTime(product.updatedAt)}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
      {model.protocolType === 'MQTT' && <ProductSecretCard productId={product.id} />}
      {model.description !== undefined && (
        <Card withBorder>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {model.description}
          </Text>
        </Card>
      )}
      {model.services.length === 0 && (
        <Alert variant="light" color="blue">
          {t('products.overview.passThrough')}
        </Alert>
      )}
      {product.warnings.length > 0 && (
        <Alert
          variant="light"
          color="yellow"
          title={t('products.overview.warnings', { count: product.warnings.length })}
        >
          <List size="sm">
            {product.warnings.map((w) => (
              <List.Item key={`${w.path}-${w.code}`}>
                <Code>{w.path}</Code> {w.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}
