// Application settings: the fixed name, the industry and the "store history data" switch.
import { Button, Card, Group, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useUpdateApplication } from './appQueries.js';

export function SettingsCard({ app }: { app: Application }) {
  const { t } = useTranslation();
  const update = useUpdateApplication(app.appId);
  // undefined = untouched: the field shows the saved value until the user types.
  const [industry, setIndustry] = useState<string>();
  const shown = industry ?? app.industry ?? '';
  const changed = industry !== undefined && industry.trim() !== (app.industry ?? '');

  return (
    <Card withBorder padding="md" h="100%">
      <Title order={3} size="h5" mb="xs">
        {t('apps.settings.title')}
      </Title>
      <Stack gap="sm">
        <TextInput label={t('apps.fields.name')} description={t('apps.settings.nameFixed')} value={app.name} readOnly />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ industry: shown.trim() }, { onSuccess: () => setIndustry(undefined) });
          }}
        >
          <Group align="flex-end" wrap="nowrap">
            <TextInput
              label={t('apps.fields.industry')}
              placeholder={t('apps.create.industryPlaceholder')}
              maxLength={64}
              value={shown}
              onChange={(e) => setIndustry(e.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" disabled={!changed} loading={update.isPending}>
              {t('apps.settings.save')}
            </Button>
          </Group>
        </form>
        <Switch
          label={t('apps.fields.storeHistory')}
          description={t('apps.settings.storeHistoryHint')}
          checked={app.storeHistory}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ storeHistory: e.currentTarget.checked })}
        />
        {update.isError && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(update.error).message}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
