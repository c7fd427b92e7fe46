// Registers devices from a CSV file (`nodeId[,secret[,name]]`) as a core task: progress bar while it runs,
// then the per-row results, the failures listed, and the secrets export one click away.
import {
  Alert,
  Button,
  FileButton,
  Group,
  Modal,
  Progress,
  ScrollArea,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { IconDownload, IconFileUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBusEvents } from '../../api/useBusEvents.js';
import { saveText } from '../../api/download.js';
import { ProductSelect } from './ProductSelect.js';
import { batchResultsCsv, countDeviceRows } from './batchCsv.js';
import { useBatchTask, useCsvDownload, useStartBatch } from './deviceQueries.js';

const FAILURES_SHOWN = 200;

export interface BatchRegisterModalProps {
  opened: boolean;
  onClose: () => void;
  defaultProductId?: string | undefined;
}

export function BatchRegisterModal({ opened, onClose, defaultProductId }: BatchRegisterModalProps) {
  const { t } = useTranslation();
  const [pickedProduct, setProductId] = useState<string | null>();
  // Until the user picks, the product the list is filtered by.
  const productId = pickedProduct === undefined ? (defaultProductId ?? null) : pickedProduct;
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [taskId, setTaskId] = useState<string>();
  const [liveProgress, setLiveProgress] = useState<number>();
  const start = useStartBatch();
  const task = useBatchTask(taskId);
  const exportSecrets = useCsvDownload();

  useBusEvents('task', (events) => {
    const mine = events.filter((e) => e.taskId === taskId && e.progress !== undefined).at(-1);
    if (mine?.progress !== undefined) setLiveProgress(mine.progress);
  });

  const close = () => {
    start.reset();
    setTaskId(undefined);
    setLiveProgress(undefined);
    setCsv('');
    setFileName(undefined);
    onClose();
  };

  const rowCount = countDeviceRows(csv);
  const current = task.data ?? start.data;
  const done = current?.status === 'done';
  const progress = done ? 1 : Math.max(liveProgress ?? 0, current ? current.processed / Math.max(1, current.total) : 0);
  const failures = current?.rows.filter((r) => !r.ok) ?? [];

  return (
    <Modal opened={opened} onClose={close} title={t('devices.batch.title')} size="lg">
      {!taskId ? (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t('devices.batch.format')}
          </Text>
          <ProductSelect label={t('devices.fields.product')} required value={productId} onChange={setProductId} />
          <Group gap="sm">
            <FileButton
              accept=".csv,text/csv,text/plain"
              onChange={(file) => {
                if (!file) return;
                setFileName(file.name);
                void file.text().then(setCsv);
              }}
            >
              {(props) => (
                <Button variant="default" leftSection={<IconFileUpload size={16} />} {...props}>
                  {t('devices.batch.chooseFile')}
                </Button>
              )}
            </FileButton>
            <Text size="sm" c="dimmed" data-testid="batch-file">
              {fileName ?? t('devices.batch.orPaste')}
            </Text>
          </Group>
          <Textarea
            label={t('devices.batch.rows')}
            description={t('devices.batch.rowsHint', { count: rowCount })}
            autosize
            minRows={4}
            maxRows={10}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            placeholder={'nodeId,secret,name\nLAMP-0100,,Hall lamp\nLAMP-0101,0123456789abcdef,'}
            value={csv.length > 200_000 ? csv.slice(0, 200_000) : csv}
            readOnly={csv.length > 200_000}
            onChange={(e) => {
              setFileName(undefined);
              setCsv(e.currentTarget.value);
            }}
          />
          {start.error ? (
            <Alert color="red" title={t('devices.batch.failed')}>
              {start.error.message}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('devices.register.cancel')}
            </Button>
            <Button
              disabled={!productId || rowCount === 0}
              loading={start.isPending}
              onClick={() => {
                if (!productId) return;
                start.mutate({ productId, csv }, { onSuccess: (started) => setTaskId(started.taskId) });
              }}
            >
              {t('devices.batch.start', { count: rowCount })}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Progress
            value={progress * 100}
            animated={!done}
            size="lg"
            aria-label={t('devices.batch.progress')}
            data-testid="batch-progress"
          />
          <Text size="sm" data-testid="batch-summary">
            {current
              ? t('devices.batch.summary', {
                  processed: current.processed.toLocaleString(),
                  total: current.total.toLocaleString(),
                  succeeded: current.succeeded.toLocaleString(),
                  failed: current.failed.toLocaleString(),
                })
              : null}
          </Text>
          {done ? (
            <Alert color={current.failed ? 'yellow' : 'teal'} title={t('devices.batch.done')}>
              {t('devices.batch.secretsHint')}
            </Alert>
          ) : null}
          {done && failures.length > 0 ? (
            <ScrollArea.Autosize mah={260}>
              <Table striped data-testid="batch-failures">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('devices.batch.line')}</Table.Th>
                    <Table.Th>{t('devices.fields.nodeId')}</Table.Th>
                    <Table.Th>{t('devices.batch.error')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {failures.slice(0, FAILURES_SHOWN).map((r) => (
                    <Table.Tr key={r.line}>
                      <Table.Td>{r.line}</Table.Td>
                      <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                        {r.nodeId}
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.error?.message ?? ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {failures.length > FAILURES_SHOWN ? (
                <Text size="xs" c="dimmed" mt={4}>
                  {t('devices.batch.moreFailures', { count: failures.length - FAILURES_SHOWN })}
                </Text>
              ) : null}
            </ScrollArea.Autosize>
          ) : null}
          <Group justify="flex-end">
            {done ? (
              <>
                <Button
                  variant="default"
                  leftSection={<IconDownload size={16} />}
                  onClick={() => saveText(`batch-${current.taskId}.csv`, batchResultsCsv(current.rows), 'text/csv')}
                >
                  {t('devices.batch.downloadResults')}
                </Button>
                <Button
                  variant="default"
                  leftSection={<IconDownload size={16} />}
                  loading={exportSecrets.isPending}
                  onClick={() => exportSecrets.mutate({ kind: 'secrets', productId: current.productId })}
                >
                  {t('devices.export.open')}
                </Button>
              </>
            ) : null}
            <Button onClick={close}>{done ? t('devices.register.close') : t('devices.batch.background')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
