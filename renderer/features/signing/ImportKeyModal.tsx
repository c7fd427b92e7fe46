// Import a PEM key file that already exists on this machine (made by openssl or another tool), by its path.
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkPassphrase, keyNameSchema } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { PassphraseField } from './PassphraseField.js';
import { useImportKey } from './signingQueries.js';

export function ImportKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [newPassphrase, setNewPassphrase] = useState('');
  const [touched, setTouched] = useState(false);
  const importKey = useImportKey();

  const nameOk = keyNameSchema.safeParse(name).success;
  const newOk = newPassphrase === '' || checkPassphrase(newPassphrase).ok;
  const close = () => {
    setPassphrase('');
    setNewPassphrase('');
    setName('');
    setPath('');
    setTouched(false);
    importKey.reset();
    onClose();
  };
  const submit = () => {
    setTouched(true);
    if (!nameOk || path.trim() === '' || !newOk) return;
    importKey.mutate(
      {
        name,
        path: path.trim(),
        passphrase: passphrase === '' ? undefined : passphrase,
        newPassphrase: newPassphrase === '' ? undefined : newPassphrase,
      },
      { onSuccess: close },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title={t('signing.keys.import.title')} size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('signing.keys.import.hint')}
        </Text>
        <TextInput
          label={t('signing.keys.import.path')}
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
          placeholder="/home/li/keys/private.pem"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          error={touched && path.trim() === '' ? t('signing.common.pathNeeded') : undefined}
          data-testid="import-path"
        />
        <TextInput
          label={t('signing.keys.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          description={t('signing.keys.nameHint')}
          error={(touched || name !== '') && !nameOk ? t('signing.keys.nameInvalid') : undefined}
          data-testid="import-name"
        />
        <PassphraseField label={t('signing.keys.import.passphrase')} value={passphrase} onChange={setPassphrase} />
        <Stack gap={2}>
          <PassphraseField
            label={t('signing.keys.import.newPassphrase')}
            value={newPassphrase}
            onChange={setNewPassphrase}
            withRule
          />
          <Text size="xs" c="dimmed">
            {t('signing.keys.import.newPassphraseHint')}
          </Text>
        </Stack>
        {importKey.isError && (
          <Alert color="red" variant="light" title={describeApiError(importKey.error).title} role="alert">
            {describeApiError(importKey.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('signing.common.cancel')}
          </Button>
          <Button onClick={submit} loading={importKey.isPending} data-testid="import-submit">
            {t('signing.keys.import.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
