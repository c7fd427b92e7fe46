// Remote diagnosis of the device: reboot the module and collect its log as tasks with their states.
import { Alert, Button, Card, Group, Table, Text, Title } from '@mantine/core';
import { IconDownload, IconFileText, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { DiagnosisStatus } from '../../../core/contract/index.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { useDiagnosisTasks, useDownloadDiagnosisLog, useStartDiagnosis } from './lwm2mQueries.js';
import { formatDateTime } from '../../app/i18n.js';

const tone: Record<DiagnosisStatus, StatusTone> = {
  Waiting: 'neutral',
  Processing: 'busy',
  Success: 'ok',
  Fail: 'error',
};

const when = (iso: string | undefined) => (iso ? formatDateTime(iso) : '–');

export function DiagnosisCard({ deviceId, refusal }: { deviceId: string; refusal: string | undefined }) {
  const { t } = useTranslation();
  const tasks = useDiagnosisTasks(deviceId);
  const start = useStartDiagnosis(deviceId);
  const download = useDownloadDiagnosisLog();
  const items = tasks.data?.tasks ?? [];
  return (
    <Card withBorder padding="md" data-testid="lwm2m-diagnosis">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={3} size="h5">
            {t('lwm2m.diagnosis.title')}
          </Title>
          <Text size="xs" c="dimmed">
            {t('lwm2m.diagnosis.hint')}
          </Text>
        </div>
        <Group gap="xs">
          <Button
            size="xs"
            variant="light"
            color="orange"
            leftSection={<IconRefresh size={14} />}
            disabled={refusal !== undefined}
            loading={start.isPending && start.variables === 'reboot'}
            onClick={() => start.mutate('reboot')}
          >
            {t('lwm2m.diagnosis.reboot')}
          </Button>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconFileText size={14} />}
            disabled={refusal !== undefined}
            loading={start.isPending && start.variables === 'logs'}
            onClick={() => start.mutate('logs')}
          >
            {t('lwm2m.diagnosis.collectLogs')}
          </Button>
        </Group>
      </Group>
      {refusal && (
        <Alert color="gray" variant="light" mb="sm">
          {refusal}
        </Alert>
      )}
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('lwm2m.diagnosis.none')}
        </Text>
      ) : (
        <Table striped data-testid="diagnosis-tasks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('lwm2m.diagnosis.kind')}</Table.Th>
              <Table.Th>{t('lwm2m.diagnosis.status')}</Table.Th>
              <Table.Th>{t('lwm2m.diagnosis.created')}</Table.Th>
              <Table.Th>{t('lwm2m.diagnosis.sent')}</Table.Th>
              <Table.Th>{t('lwm2m.diagnosis.message')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((task) => (
              <Table.Tr key={task.taskId} data-task-kind={task.kind} data-task-status={task.status}>
                <Table.Td>
                  {task.kind === 'reboot' ? t('lwm2m.diagnosis.kindReboot') : t('lwm2m.diagnosis.kindLogs')}
                  <Text size="xs" c="dimmed" ff="monospace">
                    {task.path}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StatusBadge tone={tone[task.status]}>{t(`lwm2m.diagnosis.states.${task.status}`)}</StatusBadge>
                </Table.Td>
                <Table.Td>{when(task.createdAt)}</Table.Td>
                <Table.Td>{when(task.sentAt)}</Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {task.messageCode
                      ? t(`lwm2m.diagnosis.messages.${task.messageCode}`, task.messageParams ?? {})
                      : (task.message ?? (task.status === 'Waiting' ? t('lwm2m.diagnosis.waitingHint') : ''))}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {task.kind === 'logs' && task.status === 'Success' && (
                    <Button
                      size="compact-xs"
                      variant="default"
                      leftSection={<IconDownload size={12} />}
                      loading={download.isPending && download.variables === task.taskId}
                      onClick={() => download.mutate(task.taskId)}
                    >
                      {t('lwm2m.diagnosis.download', { size: task.logBytes ?? 0 })}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
