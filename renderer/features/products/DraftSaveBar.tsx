// Save / discard for a tab's draft, with why saving is not possible.
import { Alert, Button, Group, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { describeApiError } from '../../api/errorNotifications.js';
import type { useModelDraft } from './useModelDraft.js';

export function DraftSaveBar({ draft }: { draft: ReturnType<typeof useModelDraft> }) {
  const { t } = useTranslation();
  if (draft.locked) {
    return (
      <Alert variant="light" color="gray" icon={<IconLock size={16} />}>
        {t('products.draft.locked')}
      </Alert>
    );
  }
  const errors = draft.issues.filter((i) => i.severity === 'error').length;
  return (
    <>
      {draft.dirty && (
        <Group justify="space-between" data-testid="draft-bar">
          <Text size="sm" c={errors > 0 ? 'red' : 'dimmed'}>
            {errors > 0 ? t('products.draft.errors', { count: errors }) : t('products.draft.unsaved')}
          </Text>
          <Group gap="xs">
            <Button variant="default" onClick={draft.discard}>
              {t('products.draft.discard')}
            </Button>
            <Button onClick={draft.save} loading={draft.saving} disabled={errors > 0}>
              {t('products.draft.save')}
            </Button>
          </Group>
        </Group>
      )}
      {draft.saveError && (
        <Alert color="red" variant="light" role="alert">
          {describeApiError(draft.saveError).message}
        </Alert>
      )}
    </>
  );
}
