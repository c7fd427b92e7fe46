// Stop on an open task, behind a confirm dialog: stopping cannot be undone, and it tells which devices it stops
// (those not yet started) and which finish anyway (those upgrading now).
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OtaTask } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useUpgradeActions } from './upgradeQueries.js';

export function StopTaskButton({ task }: { task: OtaTask }) {
  const { t } = useTranslation();
  const { stop } = useUpgradeActions();
  const [asking, setAsking] = useState(false);
  const isOpen = task.status === 'waiting' || task.status === 'running';
  return (
    <>
      <Button
        variant="default"
        disabled={!isOpen}
        loading={stop.isPending}
        onClick={() => {
          stop.reset();
          setAsking(true);
        }}
        data-testid="upgrade-stop"
      >
        {t('upgrades.task.stop')}
      </Button>
      <Modal
        opened={asking}
        onClose={() => setAsking(false)}
        title={t('upgrades.stopDialog.title', { name: task.name })}
      >
        <Stack data-testid="upgrade-stop-dialog">
          <Text size="sm">
            {task.counts.waiting > 0
              ? t('upgrades.stopDialog.waiting', { count: task.counts.waiting })
              : t('upgrades.stopDialog.noneWaiting')}
            {task.counts.running > 0 && ` ${t('upgrades.stopDialog.running', { count: task.counts.running })}`}
          </Text>
          {stop.isError && (
            <Alert color="red" variant="light">
              {describeApiError(stop.error).message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(false)} data-testid="upgrade-stop-cancel">
              {t('upgrades.stopDialog.cancel')}
            </Button>
            <Button
              color="red"
              loading={stop.isPending}
              onClick={() => stop.mutate(task.taskId, { onSuccess: () => setAsking(false) })}
              data-testid="upgrade-stop-confirm"
            >
              {t('upgrades.stopDialog.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
