// Sign a zip with a stored key, or verify a signed one: choose the zip, the key, the passphrase; follow the
// progress; read the result with its reasons; download the signed package or add it to the library.
import { Alert, Button, Card, Group, Progress, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconDownload, IconLibrary, IconShieldCheck, IconSignature } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { SignResult } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { FileSource, type ChosenFile } from './FileSource.js';
import { PassphraseField } from './PassphraseField.js';
import { SigningFailure, VerifyOutcome } from './SigningOutcome.js';
import { useAddToLibrary, useDownloadZip, useSignPackage, useSigningKeys, useVerifyPackage } from './signingQueries.js';
import { useTaskProgress } from './useTaskProgress.js';
import { verifyKey, type VerifyKeySource } from './verifyKey.js';

export function SignVerifyPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const given = search.get('path');
  const [file, setFile] = useState<ChosenFile | undefined>(given ? { path: given, label: given } : undefined);
  const [keyName, setKeyName] = useState<string | null>(null);
  // Verifying may also use a public key file on this machine (e.g. a manufacturer's public.pem).
  const [verifyWith, setVerifyWith] = useState<VerifyKeySource>('stored');
  const [publicKeyPath, setPublicKeyPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [attempted, setAttempted] = useState<'sign' | 'verify'>();
  const touched = attempted !== undefined;
  const keys = useSigningKeys();
  const sign = useSignPackage();
  const verify = useVerifyPackage();
  const task = useTaskProgress();
  const busy = sign.isPending || verify.isPending;

  const chosenKey = keys.data?.keys.find((k) => k.name === keyName);
  const resetResults = () => {
    sign.reset();
    verify.reset();
  };
  const runSign = () => {
    setAttempted('sign');
    if (!file || !chosenKey || passphrase === '') return;
    resetResults();
    // Once a call goes out, the emptied passphrase field is not an error.
    setAttempted(undefined);
    sign.mutate(
      { inputPath: file.path, keyName: chosenKey.name, passphrase, progressId: task.start() },
      // The passphrase is not kept once the call is made.
      { onSettled: () => setPassphrase('') },
    );
  };
  /** Verifying the package just signed keeps its result (download, library) on the page. */
  const runVerify = (path = file?.path, keepSigned = false) => {
    setAttempted('verify');
    const key = verifyKey(verifyWith, chosenKey?.name, publicKeyPath);
    if (!path || !key) return;
    if (keepSigned) verify.reset();
    else resetResults();
    setAttempted(undefined);
    verify.mutate({ inputPath: path, ...key, progressId: task.start() });
  };
  // "Sign this package" from the builder may arrive while this page is already mounted.
  const [seenGiven, setSeenGiven] = useState(given);
  if (given !== seenGiven) {
    setSeenGiven(given);
    if (given) setFile({ path: given, label: given });
  }

  return (
    <Stack gap="md">
      <Card withBorder padding="md">
        <Stack gap="md">
          <FileSource
            value={file}
            onChange={(f) => {
              setFile(f);
              resetResults();
            }}
            accept=".zip,application/zip"
            title={t('signing.sign.zip')}
            hint={t('signing.sign.zipHint')}
            error={touched && !file ? t('signing.sign.zipNeeded') : undefined}
            testId="sign-zip"
          />
          <SegmentedControl
            w="fit-content"
            size="xs"
            value={verifyWith}
            onChange={(v) => setVerifyWith(v)}
            data={[
              { value: 'stored', label: t('signing.sign.withStoredKey') },
              { value: 'file', label: t('signing.sign.withPublicKeyFile') },
            ]}
            data-testid="verify-with"
          />
          {verifyWith === 'file' && (
            <TextInput
              label={t('signing.sign.publicKeyPath')}
              description={t('signing.sign.publicKeyPathHint')}
              placeholder="/home/me/keys/manufacturer/public.pem"
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              value={publicKeyPath}
              onChange={(e) => setPublicKeyPath(e.currentTarget.value)}
              error={
                attempted === 'verify' && publicKeyPath.trim() === ''
                  ? t('signing.sign.publicKeyPathNeeded')
                  : undefined
              }
              data-testid="verify-public-key-path"
            />
          )}
          {verifyWith === 'stored' && (
            <>
              <Select
                label={t('signing.sign.key')}
                placeholder={keys.data?.keys.length === 0 ? t('signing.sign.noKeys') : t('signing.sign.pickKey')}
                data={(keys.data?.keys ?? []).map((k) => ({
                  value: k.name,
                  label: `${k.name} · ${t(`signing.algorithms.${k.algorithm}`)} · ${k.fingerprint.slice(0, 16)}…`,
                }))}
                value={keyName}
                onChange={setKeyName}
                error={touched && verifyWith === 'stored' && !chosenKey ? t('signing.sign.keyNeeded') : undefined}
                data-testid="sign-key"
              />
              {chosenKey && (
                <Group gap={4}>
                  <Text size="xs" c="dimmed">
                    {t('signing.keys.fingerprint')}
                  </Text>
                  <CopyableValue value={chosenKey.fingerprint} label={t('signing.keys.fingerprint')} size="xs" />
                </Group>
              )}
              <PassphraseField
                label={t('signing.sign.passphrase')}
                value={passphrase}
                onChange={setPassphrase}
                error={attempted === 'sign' && passphrase === '' ? t('signing.sign.passphraseNeeded') : undefined}
              />
              <Text size="xs" c="dimmed">
                {t('signing.sign.passphraseNote')}
              </Text>
            </>
          )}
          <Group>
            <Button
              leftSection={<IconSignature size={16} />}
              onClick={runSign}
              loading={sign.isPending}
              disabled={busy || verifyWith === 'file' || chosenKey?.hasPrivateKey === false}
              data-testid="sign-submit"
            >
              {t('signing.sign.sign')}
            </Button>
            <Button
              variant="default"
              leftSection={<IconShieldCheck size={16} />}
              onClick={() => runVerify()}
              loading={verify.isPending}
              disabled={busy}
              data-testid="verify-submit"
            >
              {t('signing.sign.verify')}
            </Button>
            {verifyWith === 'stored' && chosenKey?.hasPrivateKey === false && (
              <Text size="xs" c="dimmed">
                {t('signing.sign.verifyOnlyKey')}
              </Text>
            )}
          </Group>
          {busy && (
            <Stack gap={2}>
              <Text size="xs">{t('signing.sign.progress', { percent: Math.round((task.progress ?? 0) * 100) })}</Text>
              <Progress value={(task.progress ?? 0) * 100} animated data-testid="sign-progress" />
            </Stack>
          )}
        </Stack>
      </Card>
      {sign.isError && <SigningFailure error={sign.error} />}
      {verify.isError && <SigningFailure error={verify.error} />}
      {sign.data && <SignedCard result={sign.data} onVerify={() => runVerify(sign.data.outputPath, true)} />}
      {verify.data && <VerifyOutcome result={verify.data} />}
    </Stack>
  );
}

function SignedCard({ result, onVerify }: { result: SignResult; onVerify: () => void }) {
  const { t } = useTranslation();
  const download = useDownloadZip();
  const addToLibrary = useAddToLibrary();
  return (
    <Alert color="teal" variant="light" title={t('signing.result.signed')} data-testid="sign-result">
      <Stack gap="xs">
        <Text size="sm">
          {t('signing.result.signedDetail', {
            count: result.entries,
            entries: result.entries,
            algorithm: result.algorithm,
          })}
        </Text>
        <Group gap={4}>
          <Text size="xs">{t('signing.result.output')}</Text>
          <CopyableValue value={result.outputPath} label={t('signing.result.output')} size="xs" />
        </Group>
        <Text size="xs">{t('signing.result.keyFingerprint')}</Text>
        <CopyableValue value={result.fingerprint} label={t('signing.keys.fingerprint')} size="xs" />
        <Group gap="xs" mt="xs">
          <Button
            size="xs"
            leftSection={<IconDownload size={14} />}
            onClick={() => download.mutate(result.outputPath)}
            loading={download.isPending}
            data-testid="download-signed"
          >
            {t('signing.result.download')}
          </Button>
          <Button size="xs" variant="default" leftSection={<IconShieldCheck size={14} />} onClick={onVerify}>
            {t('signing.result.verifyNow')}
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconLibrary size={14} />}
            onClick={() => addToLibrary.mutate(result.outputPath)}
            loading={addToLibrary.isPending}
            disabled={addToLibrary.isSuccess}
            data-testid="add-to-library"
          >
            {t('signing.result.addToLibrary')}
          </Button>
        </Group>
        {addToLibrary.isSuccess && (
          <Text size="sm" c="teal" data-testid="added-to-library">
            {t('signing.result.addedToLibrary', { name: addToLibrary.data.name, version: addToLibrary.data.version })}
          </Text>
        )}
        {addToLibrary.isError && (
          <Text size="sm" c="red" role="alert" data-testid="library-refused">
            {t('signing.result.libraryRefused', {
              code: addToLibrary.error instanceof ApiClientError ? addToLibrary.error.code : '',
            })}{' '}
            {describeApiError(addToLibrary.error).message}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
