// What a sign or verify run ended with, in words: every failure code explained, both fingerprints when the
// signature does not match the key, the entry name when one entry is at fault.
import { Alert, Code, List, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { signingFailureCodes, type SigningFailureCode, type VerifyResult } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';

export function isSigningFailureCode(code: string): code is SigningFailureCode {
  return (signingFailureCodes as readonly string[]).includes(code);
}

function Fingerprints({ chosen, signedWith }: { chosen: string; signedWith?: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2} data-testid="fingerprints">
      <Text size="xs">{t('signing.result.chosenKey')}</Text>
      <Code block data-testid="fingerprint-chosen">
        {chosen}
      </Code>
      <Text size="xs">{t('signing.result.signedWith')}</Text>
      <Code block data-testid="fingerprint-signed-with">
        {signedWith ?? t('signing.result.unknownFingerprint')}
      </Code>
    </Stack>
  );
}

function Problem({ code, message, entry }: { code: SigningFailureCode; message: string; entry?: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2} data-testid="signing-problem" data-code={code}>
      <Text size="sm" fw={500}>
        {t(`signing.failure.${code}`)}
      </Text>
      {entry !== undefined && (
        <Text size="sm">
          {t('signing.result.entry')} <Code data-testid="problem-entry">{entry}</Code>
        </Text>
      )}
      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
        {t('signing.result.coreSays', { code })} {message}
      </Text>
    </Stack>
  );
}

/** `bare` gives the problems without their own alert, for a refusal that already has one. */
export function VerifyOutcome({ result, bare = false }: { result: VerifyResult; bare?: boolean }) {
  const { t } = useTranslation();
  if (result.valid) {
    return (
      <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title={t('signing.result.valid')}>
        <Stack gap={4} data-testid="verify-valid">
          <Text size="sm">
            {t('signing.result.validDetail', {
              count: result.entries,
              entries: result.entries,
              algorithm: result.algorithm ?? '',
            })}
          </Text>
          {result.signedAt !== undefined && (
            <Text size="sm">{t('signing.result.signedAt', { at: result.signedAt })}</Text>
          )}
          <Text size="xs">{t('signing.result.keyFingerprint')}</Text>
          <Code block>{result.keyFingerprint}</Code>
        </Stack>
      </Alert>
    );
  }
  const showFingerprints = result.problems.some((p) => p.code === 'SIGNATURE_INVALID');
  const problems = (
    <Stack gap="sm" data-testid={bare ? 'verify-problems' : undefined}>
      <List spacing="sm" listStyleType="none">
        {result.problems.map((p, i) => (
          <List.Item key={`${p.code}-${p.entry ?? ''}-${i}`}>
            <Problem code={p.code} message={p.message} entry={p.entry} />
          </List.Item>
        ))}
      </List>
      {showFingerprints && <Fingerprints chosen={result.keyFingerprint} signedWith={result.signedWithFingerprint} />}
    </Stack>
  );
  if (bare) return problems;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={t('signing.result.invalid')}
      role="alert"
      data-testid="verify-invalid"
    >
      {problems}
    </Alert>
  );
}

/** A refused sign or verify call: the signing codes in words, anything else as the API's own error. */
export function SigningFailure({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error instanceof ApiClientError && isSigningFailureCode(error.code)) {
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconAlertTriangle size={18} />}
        title={t('signing.result.failed')}
        role="alert"
        data-testid="signing-failure"
      >
        <Problem code={error.code} message={error.message} entry={error.path} />
      </Alert>
    );
  }
  const { title, message } = describeApiError(error);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title} role="alert">
      {message}
    </Alert>
  );
}
