// Where the key that encrypts device secrets lives: the OS keychain (desktop app) or a 0600 key file.
import { Alert, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconFileLock, IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { SecretKeyLocation } from '../../../core/contract/index.js';
import { usePlatformInfo } from '../../api/platformQueries.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';

function KeyLocation({ location }: { location: SecretKeyLocation }) {
  const { t } = useTranslation();
  const inKeychain = location.store === 'os-keychain';
  return (
    <Stack gap="xs" data-testid="secret-key-location">
      <Group gap="xs">
        <Badge
          variant="light"
          color={inKeychain ? 'teal' : 'gray'}
          leftSection={inKeychain ? <IconLock size={12} /> : <IconFileLock size={12} />}
        >
          {inKeychain ? t('settings.secretKey.osKeychain') : t('settings.secretKey.keyFile')}
        </Badge>
      </Group>
      <Stack gap={2}>
        <Text size="xs" c="dimmed">
          {inKeychain ? t('settings.secretKey.wrappedFileLabel') : t('settings.secretKey.keyFileLabel')}
        </Text>
        <CopyableValue
          value={location.file}
          label={inKeychain ? t('settings.secretKey.wrappedFileLabel') : t('settings.secretKey.keyFileLabel')}
        />
      </Stack>
      {location.keychainUnavailable && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={16} />}>
          {t('settings.secretKey.keychainUnavailable', {
            reason: t(`settings.secretKey.reasons.${location.keychainUnavailable}`),
          })}
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        {inKeychain ? t('settings.secretKey.osKeychainHint') : t('settings.secretKey.keyFileHint')}
      </Text>
    </Stack>
  );
}

export function SecretKeySettings() {
  const { t } = useTranslation();
  const info = usePlatformInfo();
  if (info.isSuccess && !info.data.deviceSecretKey) return null;
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb={2}>
        {t('settings.secretKey.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('settings.secretKey.description')}
      </Text>
      {info.isPending ? (
        <LoadingState />
      ) : info.isError ? (
        <ErrorState error={info.error} onRetry={() => void info.refetch()} />
      ) : info.data.deviceSecretKey ? (
        <KeyLocation location={info.data.deviceSecretKey} />
      ) : null}
    </Card>
  );
}
