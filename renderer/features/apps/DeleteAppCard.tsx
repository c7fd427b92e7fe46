// Deleting an application: refused for the default one and while it holds devices, and the card says why.
import { Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Application } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useDeleteApplication } from './appQueries.js';

export function DeleteAppCard({ app }: { app: Application }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const remove = useDeleteApplication(app.appId);
  const [confirming, setConfirming] = useState(false);
  const reason = app.isDefault
    ? t('apps.delete.isDefault')
    : app.deviceCount > 0
      ? t('apps.delete.hasDevices', { count: app.deviceCount })
      : undefined;
  const close = () => {
    remove.reset();
    setConfirming(false);
  };

  return (
    <Card withBorder padding="md">
      <Group justify="space-between" wrap="nowrap" align="center">
        <Stack gap={2}>
          <Title order={3} size="h5">
            {t('apps.delete.title')}
          </Title>
          <Text size="sm" c="dimmed" data-testid="delete-app-reason">
            {reason ?? t('apps.delete.canDelete')}
          </Text>
        </Stack>
        <Button
          color="red"
          variant="light"
          leftSection={<IconTrash size={16} />}
          disabled={reason !== undefined}
          onClick={() => setConfirming(true)}
        >
          {t('apps.delete.button')}
        </Button>
      </Group>
      <Modal opened={confirming} onClose={close} title={t('apps.delete.title')}>
        <Stack gap="sm">
          <Text size="sm">{t('apps.delete.confirm', { name: app.name })}</Text>
          {remove.isError && (
            <Text size="sm" c="red" role="alert">
              {describeApiError(remove.error).message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('apps.delete.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(undefined, {
                  onSuccess: () => {
                    close();
                    void navigate('/apps');
                  },
                })
              }
            >
              {t('apps.delete.button')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
