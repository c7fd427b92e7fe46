// The data folder: its path to copy and, in the desktop app, a button that opens it.
import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { IconFolderOpen } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyApiError } from '../../api/errorNotifications.js';
import { usePlatformInfo } from '../../api/platformQueries.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';

function OpenDataFolderButton() {
  const { t } = useTranslation();
  const [opening, setOpening] = useState(false);
  const bridge = window.workbench;
  if (!bridge) return null;
  return (
    <Button
      variant="light"
      leftSection={<IconFolderOpen size={14} />}
      loading={opening}
      w="fit-content"
      onClick={() => {
        setOpening(true);
        bridge
          .openDataFolder()
          .catch(notifyApiError)
          .finally(() => setOpening(false));
      }}
    >
      {t('settings.dataFolder.open')}
    </Button>
  );
}

export function DataFolderSettings() {
  const { t } = useTranslation();
  const info = usePlatformInfo();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb={2}>
        {t('settings.dataFolder.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('settings.dataFolder.description')}
      </Text>
      {info.isPending ? (
        <LoadingState />
      ) : info.isError ? (
        <ErrorState error={info.error} onRetry={() => void info.refetch()} />
      ) : (
        <Stack gap="xs">
          <CopyableValue value={info.data.dataDir} label={t('settings.dataFolder.title')} />
          <OpenDataFolderButton />
        </Stack>
      )}
    </Card>
  );
}
