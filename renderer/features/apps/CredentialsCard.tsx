// The App ID and the secret's reset. The secret itself is never shown here: only once, in the reveal dialog.
import { Alert, Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { useResetApplicationSecret } from './appQueries.js';

export interface CredentialsCardProps {
  app: Application;
  onSecret: (secret: { appId: string; name: string; secret: string }) => void;
}

export function CredentialsCard({ app, onSecret }: CredentialsCardProps) {
  const { t } = useTranslation();
  const reset = useResetApplicationSecret(app.appId);
  const [confirming, setConfirming] = useState(false);
  const close = () => {
    reset.reset();
    setConfirming(false);
  };
  const doReset = () =>
    reset.mutate(undefined, {
      onSuccess: (result) => {
        close();
        onSecret({ appId: result.appId, name: app.name, secret: result.secret });
      },
    });

  return (
    <Card withBorder padding="md" h="100%">
      <Title order={3} size="h5" mb="xs">
        {t('apps.secret.cardTitle')}
      </Title>
      <Stack gap="sm">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('apps.fields.appId')}
          </Text>
          <CopyableValue value={app.appId} label={t('apps.fields.appId')} />
        </Stack>
        {app.secretKnown ? (
          <>
            <Text size="sm" c="dimmed">
              {t('apps.secret.cardHint')}
            </Text>
            <Group>
              <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={() => setConfirming(true)}>
                {t('apps.secret.reset')}
              </Button>
            </Group>
          </>
        ) : (
          // Nobody has seen this secret, so nothing can break: get one without a warning.
          <Alert color="yellow" title={t('apps.secret.unknownTitle')} data-testid="secret-unknown">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{t('apps.secret.unknownText')}</Text>
              <Button leftSection={<IconKey size={16} />} loading={reset.isPending} onClick={doReset}>
                {t('apps.secret.getSecret')}
              </Button>
            </Stack>
          </Alert>
        )}
        {reset.isError && !confirming && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(reset.error).message}
          </Text>
        )}
      </Stack>
      <Modal opened={confirming} onClose={close} title={t('apps.secret.resetConfirmTitle')}>
        <Stack gap="sm">
          <Text size="sm">{t('apps.secret.resetConfirm')}</Text>
          {reset.isError && (
            <Text size="sm" c="red" role="alert">
              {describeApiError(reset.error).message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('apps.secret.cancel')}
            </Button>
            <Button color="red" loading={reset.isPending} onClick={doReset}>
              {t('apps.secret.resetConfirmButton')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
