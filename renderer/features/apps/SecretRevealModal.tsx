// The one time an application secret is shown: after creation or a reset. Closing it forgets the secret.
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { CommandBlock } from './CommandBlock.js';
import { useNorthboundEndpoint } from './appQueries.js';
import { curlLoginSnippet } from './northboundSnippets.js';

export interface RevealedSecret {
  appId: string;
  name: string;
  secret: string;
  /** 'created' right after creation, 'reset' after a reset. */
  reason: 'created' | 'reset';
}

export function SecretRevealModal({
  revealed,
  onClose,
}: {
  revealed: RevealedSecret | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const endpoint = useNorthboundEndpoint();
  return (
    <Modal
      opened={revealed !== undefined}
      onClose={onClose}
      size="lg"
      // Only the explicit button closes it, so the secret is not lost to a stray click outside.
      closeOnClickOutside={false}
      title={revealed?.reason === 'created' ? t('apps.secret.createdTitle') : t('apps.secret.resetTitle')}
    >
      {revealed && (
        <Stack gap="sm" data-testid="secret-dialog">
          <Alert color="yellow" icon={<IconAlertTriangle size={18} />} role="alert">
            {t('apps.secret.once')}
          </Alert>
          <Text size="sm" fw={500}>
            {t('apps.fields.appId')}
          </Text>
          <CopyableValue value={revealed.appId} label={t('apps.fields.appId')} />
          <Text size="sm" fw={500}>
            {t('apps.fields.secret')}
          </Text>
          <CopyableValue value={revealed.secret} label={t('apps.fields.secret')} />
          {endpoint.data?.enabled && (
            <CommandBlock
              label={t('apps.secret.loginExample')}
              command={curlLoginSnippet(endpoint.data, revealed.appId, revealed.secret)}
              testId="secret-login-snippet"
            />
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('apps.secret.done')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
