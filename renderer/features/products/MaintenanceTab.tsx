// Maintenance capabilities (omCapability): software upgrade over PCP, firmware over LwM2M, config files.
// They may change at any time, also while devices use the product.
import { Alert, Button, Card, Group, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OmCapability } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useUpdateOmCapability } from './productQueries.js';
import type { ProductTabProps } from './productTabs.js';

function configText(om: OmCapability): string {
  const file = om.config?.defaultConfigFile;
  return file === undefined ? '' : JSON.stringify(file, null, 2);
}

export function MaintenanceTab({ product }: ProductTabProps) {
  const { t } = useTranslation();
  const current = product.model.omCapability;
  const [upgrade, setUpgrade] = useState(current.upgrade?.supported ?? false);
  const [firmware, setFirmware] = useState(current.firmwareUpgrade?.supported ?? false);
  const [config, setConfig] = useState(current.config?.supported ?? false);
  const [configFile, setConfigFile] = useState(configText(current));
  const save = useUpdateOmCapability(product.id);

  let parsedConfig: unknown;
  let configError: string | undefined;
  if (configFile.trim() !== '') {
    try {
      parsedConfig = JSON.parse(configFile) as unknown;
    } catch (error) {
      configError = error instanceof Error ? error.message : String(error);
    }
  }
  const next: OmCapability = {
    ...(upgrade || current.upgrade ? { upgrade: { supported: upgrade, protocol: 'PCP' as const } } : {}),
    ...(firmware || current.firmwareUpgrade
      ? { firmwareUpgrade: { supported: firmware, protocol: 'LWM2M' as const } }
      : {}),
    ...(config || current.config
      ? {
          config: {
            supported: config,
            method: 'file' as const,
            ...(parsedConfig === undefined ? {} : { defaultConfigFile: parsedConfig }),
          },
        }
      : {}),
  };
  const dirty = JSON.stringify(next) !== JSON.stringify(current);

  return (
    <Card withBorder maw={760}>
      <Stack gap="md">
        <Title order={3} size="h5">
          {t('products.maintenance.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('products.maintenance.hint')}
        </Text>
        <Switch
          label={t('products.maintenance.upgrade')}
          description={t('products.maintenance.upgradeHint')}
          checked={upgrade}
          onChange={(e) => setUpgrade(e.currentTarget.checked)}
        />
        <Switch
          label={t('products.maintenance.firmware')}
          description={t('products.maintenance.firmwareHint')}
          checked={firmware}
          onChange={(e) => setFirmware(e.currentTarget.checked)}
        />
        <Switch
          label={t('products.maintenance.config')}
          description={t('products.maintenance.configHint')}
          checked={config}
          onChange={(e) => setConfig(e.currentTarget.checked)}
        />
        {config && (
          <Textarea
            label={t('products.maintenance.configFile')}
            value={configFile}
            onChange={(e) => setConfigFile(e.currentTarget.value)}
            autosize
            minRows={4}
            ff="monospace"
            error={configError}
          />
        )}
        {save.isError && (
          <Alert color="red" variant="light" role="alert">
            {describeApiError(save.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button
            disabled={!dirty || configError !== undefined}
            loading={save.isPending}
            onClick={() => save.mutate(next)}
          >
            {t('products.draft.save')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
