// Settings: appearance, device ports, the data folder and where the device-secrets key lives.
import { Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../ui/PageHeader.js';
import { AppearanceSettings } from './AppearanceSettings.js';
import { DataFolderSettings } from './DataFolderSettings.js';
import { PortSettings } from './PortSettings.js';
import { SecretKeySettings } from './SecretKeySettings.js';

export function SettingsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="md" maw={900}>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <AppearanceSettings />
      <PortSettings />
      <DataFolderSettings />
      <SecretKeySettings />
    </Stack>
  );
}
