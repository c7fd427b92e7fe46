// Batch command from the devices list: one command of a product's model to every device of that product, of a group
// (with its subgroups), carrying a tag, or selected in the list, as a task whose progress and per-device results
// update while the devices answer. The target is resolved when the task starts.
import { Alert, Modal, Progress, ScrollArea, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiRoutes, type CommandBatchTarget } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { flattenTree, groupLabel } from '../groups/groupTree.js';
import { useGroupTree, useTags } from '../groups/groupQueries.js';
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

/** How many devices a target names now (the same resolution the task does when it starts). */
function useTargetSize(target: CommandBatchTarget | undefined, productCount: number) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ['commands', 'batch-target', target],
    enabled: target !== undefined && !('productId' in target),
    queryFn: () => {
      const t = target!;
      const body =
        'deviceIds' in t
          ? { kind: 'devices' as const, deviceIds: t.deviceIds }
          : 'tagId' in t
            ? { kind: 'tag' as const, tagId: t.tagId }
            : { kind: 'group' as const, groupId: 'groupId' in t ? t.groupId : '', descendants: true };
      return callApi(apiRoutes.resolveBatchTarget, { body });
    },
    select: (r) => r.total,
    placeholderData: target && 'productId' in target ? { total: productCount, deviceIds: [] } : undefined,
  });
}

function BatchForm({
  productId,
  target,
  onStarted,
}: {
  productId: string;
  target: CommandBatchTarget | undefined;
  onStarted: (taskId: string) => void;
}) {
  const { t } = useTranslation();
  const product = useProduct(productId);
  const create = useCreateBatch();
  const size = useTargetSize(target, product.data?.deviceCount ?? 0);
  if (product.isPending) return <LoadingState />;
  if (product.isError) return <ErrorState error={product.error} />;
  const count = target && 'productId' in target ? product.data.deviceCount : (size.data ?? 0);
  if (target === undefined || count === 0)
    return (
      <Alert color="gray" variant="light">
        {target === undefined ? t('commands.batch.chooseTarget') : t('commands.batch.noDevices')}
      </Alert>
    );
  return (
    <CommandForm
      model={product.data.model}
      busy={create.isPending}
      submitLabel={t('commands.batch.send', { count })}
      onSend={async (draft) => onStarted((await create.mutateAsync({ target, ...draft })).taskId)}
    />
  );
}

export function BatchCommandModal({
  opened,
  onClose,
  defaultProductId,
  selectedDeviceIds = [],
}: {
  opened: boolean;
  onClose: () => void;
  defaultProductId: string | undefined;
  /** Devices selected in the list: offered as a target of their own. */
  selectedDeviceIds?: readonly string[];
}) {
  const { t } = useTranslation();
  const [productId, setProductId] = useState<string | null>(defaultProductId ?? null);
  const [scope, setScope] = useState<'product' | 'group' | 'tag' | 'selected'>(
    selectedDeviceIds.length ? 'selected' : 'product',
  );
  const [groupId, setGroupId] = useState<string | null>(null);
  const [tagId, setTagId] = useState<string | null>(null);
  const groups = useGroupTree();
  const tags = useTags();
  const target: CommandBatchTarget | undefined =
    scope === 'product' && productId
      ? { productId }
      : scope === 'group' && groupId
        ? { groupId }
        : scope === 'tag' && tagId
          ? { tagId }
          : scope === 'selected' && selectedDeviceIds.length
            ? { deviceIds: [...selectedDeviceIds] }
            : undefined;
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
        <SegmentedControl
          value={scope}
          onChange={(v) => {
            setScope(v as typeof scope);
            setTaskId(undefined);
          }}
          data={[
            { value: 'product', label: t('commands.batch.scopes.product') },
            { value: 'group', label: t('commands.batch.scopes.group') },
            { value: 'tag', label: t('commands.batch.scopes.tag') },
            ...(selectedDeviceIds.length
              ? [{ value: 'selected', label: t('commands.batch.scopes.selected', { count: selectedDeviceIds.length }) }]
              : []),
          ]}
        />
        {scope === 'group' && (
          <Select
            label={t('commands.batch.group')}
            placeholder={t('commands.batch.group')}
            description={t('commands.batch.groupHint')}
            data={flattenTree(groups.data?.roots ?? []).map((g) => ({
              value: g.node.id,
              label: [...g.path.slice(0, -1), groupLabel(g.node, t)].join(' / '),
            }))}
            value={groupId}
            onChange={setGroupId}
            searchable
          />
        )}
        {scope === 'tag' && (
          <Select
            label={t('commands.batch.tag')}
            placeholder={t('commands.batch.tag')}
            data={(tags.data?.tags ?? []).map((tg) => ({
              value: tg.id,
              label: tg.value ? `${tg.key}=${tg.value}` : tg.key,
            }))}
            value={tagId}
            onChange={setTagId}
            searchable
          />
        )}
        {productId && !taskId && (
          <BatchForm
            key={`${productId}-${JSON.stringify(target)}`}
            productId={productId}
            target={target}
            onStarted={setTaskId}
          />
        )}
        {taskId && <BatchProgress taskId={taskId} />}
      </Stack>
    </Modal>
  );
}
