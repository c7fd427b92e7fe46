// Batch command from the devices list: one command of a product's model to every device of that product, as a task
// whose progress and per-device results update while the devices answer.
import { Alert, Modal, Progress, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProductSelect } from '../devices/ProductSelect.js';
import { useProduct } from '../products/productQueries.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { CommandForm } from './CommandForm.js';
import { useBatch, useCreateBatch } from './commandQueries.js';
import { commandTone } from './commandStatus.js';

function BatchProgress({ taskId }: { taskId: string }) {
  const { t } = useTranslation();
  const batch = useBatch(taskId);
  if (batch.isPending) return <LoadingState />;
  if (batch.isError) return <ErrorState error={batch.error} />;
  const b = batch.data;
  return (
    <Stack gap="xs" data-testid="batch-progress" data-batch-status={b.status}>
      <Text size="sm">
        {t('commands.batch.progress', {
          completed: b.completed,
          total: b.total,
          successful: b.successful,
          failed: b.failed,
        })}
      </Text>
      <Progress value={b.progress * 100} color={b.failed > 0 ? 'orange' : 'teal'} />
      <ScrollArea.Autosize mah={260}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('commands.batch.device')}</Table.Th>
              <Table.Th>{t('commands.list.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {b.items.map((item) => (
              <Table.Tr key={item.deviceId}>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {item.deviceId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {item.status ? (
                    <StatusBadge tone={commandTone[item.status]}>{t(`commands.status.${item.status}`)}</StatusBadge>
                  ) : (
                    <Text size="xs" c="red">
                      {item.error}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function BatchForm({ productId, onStarted }: { productId: string; onStarted: (taskId: string) => void }) {
  const { t } = useTranslation();
  const product = useProduct(productId);
  const create = useCreateBatch();
  if (product.isPending) return <LoadingState />;
  if (product.isError) return <ErrorState error={product.error} />;
  if (product.data.deviceCount === 0)
    return (
      <Alert color="gray" variant="light">
        {t('commands.batch.noDevices')}
      </Alert>
    );
  return (
    <CommandForm
      model={product.data.model}
      busy={create.isPending}
      submitLabel={t('commands.batch.send', { count: product.data.deviceCount })}
      onSend={async (draft) => onStarted((await create.mutateAsync({ target: { productId }, ...draft })).taskId)}
    />
  );
}

export function BatchCommandModal({
  opened,
  onClose,
  defaultProductId,
}: {
  opened: boolean;
  onClose: () => void;
  defaultProductId: string | undefined;
}) {
  const { t } = useTranslation();
  const [productId, setProductId] = useState<string | null>(defaultProductId ?? null);
  const [taskId, setTaskId] = useState<string | undefined>();
  const close = () => {
    setTaskId(undefined);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('commands.batch.title')} size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('commands.batch.hint')}
        </Text>
        <ProductSelect
          label={t('commands.batch.product')}
          value={productId}
          onChange={(id) => {
            setProductId(id);
            setTaskId(undefined);
          }}
          data-testid="batch-product"
        />
        {productId && !taskId && <BatchForm key={productId} productId={productId} onStarted={setTaskId} />}
        {taskId && <BatchProgress taskId={taskId} />}
      </Stack>
    </Modal>
  );
}
