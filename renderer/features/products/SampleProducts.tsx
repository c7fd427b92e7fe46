// The shipped sample products, each created with one click.
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconArrowRight, IconSparkles } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ErrorState } from '../../ui/QueryStates.js';
import { useCreateFromSample, useProductSamples } from './productQueries.js';

export function SampleProducts() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const samples = useProductSamples();
  const create = useCreateFromSample();
  if (samples.isError) return <ErrorState error={samples.error} onRetry={() => void samples.refetch()} />;
  const items = samples.data?.items ?? [];
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {items.map((sample) => (
          <Card key={sample.name} withBorder padding="md" data-testid={`sample-${sample.deviceType}`}>
            <Stack gap={6}>
              <Group justify="space-between" wrap="nowrap">
                <Text fw={600}>{sample.deviceType}</Text>
                <Badge variant="light">{sample.protocolType}</Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {sample.manufacturerName} · {sample.model} ·{' '}
                {t('products.samples.services', { count: sample.serviceCount })}
              </Text>
              {sample.description !== undefined && <Text size="sm">{sample.description}</Text>}
              <Group justify="flex-end">
                {sample.productId !== undefined ? (
                  <Button
                    variant="subtle"
                    rightSection={<IconArrowRight size={14} />}
                    onClick={() => void navigate(`/products/${sample.productId}`)}
                  >
                    {t('products.samples.open')}
                  </Button>
                ) : (
                  <Button
                    leftSection={<IconSparkles size={14} />}
                    loading={create.isPending && create.variables === sample.name}
                    onClick={() =>
                      create.mutate(sample.name, { onSuccess: (product) => void navigate(`/products/${product.id}`) })
                    }
                  >
                    {t('products.samples.create')}
                  </Button>
                )}
              </Group>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
      {create.isError && <ErrorState error={create.error} />}
    </Stack>
  );
}
