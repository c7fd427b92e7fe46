// Generate a key pair in the data folder: algorithm, name, passphrase (checked live against the rule).
import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  checkPassphrase,
  keyNameSchema,
  signingAlgorithms,
  signatureAlgorithmNames,
  type SigningAlgorithm,
} from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { PassphraseField } from './PassphraseField.js';
import { useGenerateKey } from './signingQueries.js';

export function GenerateKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [algorithm, setAlgorithm] = useState<SigningAlgorithm>('ecdsa-secp256k1');
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const generate = useGenerateKey();

  const nameOk = keyNameSchema.safeParse(name).success;
  const passOk = checkPassphrase(passphrase).ok;
  const confirmOk = confirm === passphrase;
  const close = () => {
    // The passphrase leaves memory with the form.
    setPassphrase('');
    setConfirm('');
    setName('');
    setTouched(false);
    generate.reset();
    onClose();
  };
  const submit = () => {
    setTouched(true);
    if (!nameOk || !passOk || !confirmOk) return;
    generate.mutate({ name, algorithm, passphrase }, { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title={t('signing.keys.generate.title')} size="lg">
      <Stack gap="sm">
        <Select
          label={t('signing.keys.algorithm')}
          data={signingAlgorithms.map((a) => ({
            value: a,
            label: `${t(`signing.algorithms.${a}`)} (${signatureAlgorithmNames[a]})`,
          }))}
          value={algorithm}
          onChange={(v) => v && setAlgorithm(v)}
          allowDeselect={false}
          description={t('signing.keys.generate.algorithmHint')}
          data-testid="key-algorithm"
        />
        <TextInput
          label={t('signing.keys.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          placeholder="release-2024"
          description={t('signing.keys.nameHint')}
          error={(touched || name !== '') && !nameOk ? t('signing.keys.nameInvalid') : undefined}
          data-testid="key-name"
        />
        <PassphraseField label={t('signing.passphrase.label')} value={passphrase} onChange={setPassphrase} withRule />
        <PasswordInputConfirm
          value={confirm}
          onChange={setConfirm}
          mismatch={(touched || confirm !== '') && !confirmOk}
        />
        {generate.isError && (
          <Alert color="red" variant="light" title={describeApiError(generate.error).title} role="alert">
            {describeApiError(generate.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('signing.common.cancel')}
          </Button>
          <Button onClick={submit} loading={generate.isPending} data-testid="generate-submit">
            {t('signing.keys.generate.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PasswordInputConfirm({
  value,
  onChange,
  mismatch,
}: {
  value: string;
  onChange: (v: string) => void;
  mismatch: boolean;
}) {
  const { t } = useTranslation();
  return (
    <PassphraseField
      label={t('signing.passphrase.confirm')}
      value={value}
      onChange={onChange}
      error={mismatch ? t('signing.passphrase.mismatch') : undefined}
    />
  );
}
