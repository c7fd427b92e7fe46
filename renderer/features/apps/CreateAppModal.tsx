// Creates an application (name unique and fixed, industry optional) and hands its one-time secret to the caller.
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeApiError } from '../../api/errorNotifications.js';
import { useCreateApplication } from './appQueries.js';
import type { RevealedSecret } from './SecretRevealModal.js';

export interface CreateAppModalProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (revealed: RevealedSecret) => void;
}

export function CreateAppModal({ opened, onClose, onCreated }: CreateAppModalProps) {
  const { t } = useTranslation();
  const create = useCreateApplication();
  const [name, setName] = useState('');
  const [industry, setIndustry] = useState('');
  const close = () => {
    create.reset();
    setName('');
    setIndustry('');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('apps.create.title')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name: name.trim(), ...(industry.trim() ? { industry: industry.trim() } : {}) },
            {
              onSuccess: (result) => {
                close();
                onCreated({
                  appId: result.application.appId,
                  name: result.application.name,
                  secret: result.secret,
                  reason: 'created',
                });
              },
            },
          );
        }}
      >
        <Stack gap="sm">
          <TextInput
            label={t('apps.fields.name')}
            description={t('apps.create.nameHint')}
            required
            maxLength={64}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
          />
          <TextInput
            label={t('apps.fields.industry')}
            placeholder={t('apps.create.industryPlaceholder')}
            maxLength={64}
            value={industry}
            onChange={(e) => setIndustry(e.currentTarget.value)}
          />
          {create.isError && (
            <Text size="sm" c="red" role="alert">
              {describeApiError(create.error).message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('apps.create.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={name.trim() === ''}>
              {t('apps.create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
