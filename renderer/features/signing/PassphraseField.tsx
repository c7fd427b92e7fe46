// Passphrase input with live strength feedback and the platform tool's rule, in the user's language.
import { Group, PasswordInput, Progress, Stack, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { checkPassphrase, PASSPHRASE_MIN_LENGTH, type PassphraseCheck } from '../../../core/contract/index.js';

const kindKeys: Record<string, string> = {
  'upper case letters': 'upper',
  'lower case letters': 'lower',
  digits: 'digits',
  'special characters': 'special',
};
const allKinds = Object.keys(kindKeys);
const strengthColors = ['red', 'orange', 'yellow', 'lime', 'teal'] as const;

/** The rule's message for a failing passphrase, or undefined when it passes. */
export function passphraseProblemText(check: PassphraseCheck, t: TFunction): string | undefined {
  const kind = (name: string) => t(`signing.passphrase.kinds.${kindKeys[name] ?? 'special'}`);
  if (check.problem === 'too-short') return t('signing.passphrase.tooShort', { min: PASSPHRASE_MIN_LENGTH });
  if (check.problem === 'too-few-kinds') {
    const used = check.kindsUsed[0];
    if (used === undefined) return t('signing.passphrase.noKinds');
    const missing = allKinds.filter((k) => !check.kindsUsed.includes(k)).map(kind);
    return t('signing.passphrase.oneKind', { used: kind(used), missing: missing.join(t('signing.passphrase.or')) });
  }
  return undefined;
}

/** The strength meter: how full, which colour, which words. A failing passphrase shows a sliver of red. */
export function strengthDisplay(check: PassphraseCheck): { percent: number; color: string; labelKey: string } {
  if (!check.ok) return { percent: 8, color: 'red', labelKey: 'signing.passphrase.unusable' };
  return {
    percent: (check.strength / 4) * 100,
    color: strengthColors[check.strength] ?? 'teal',
    labelKey: `signing.passphrase.strength.${check.strength}`,
  };
}

export interface PassphraseFieldProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  /** Show the rule and the strength meter (for a new passphrase, not for unlocking a key). */
  withRule?: boolean;
  error?: string;
  autoFocus?: boolean;
}

export function PassphraseField({ value, onChange, label, withRule = false, error, autoFocus }: PassphraseFieldProps) {
  const { t } = useTranslation();
  const check = checkPassphrase(value);
  const problem = passphraseProblemText(check, t);
  const strength = strengthDisplay(check);
  return (
    <Stack gap={4}>
      <PasswordInput
        label={label}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        autoComplete={withRule ? 'new-password' : 'current-password'}
        description={withRule ? t('signing.passphrase.rule', { min: PASSPHRASE_MIN_LENGTH }) : undefined}
        error={error}
        autoFocus={autoFocus}
        data-testid={withRule ? 'new-passphrase' : 'passphrase'}
      />
      {withRule && value !== '' && (
        <Stack gap={2} data-testid="passphrase-feedback">
          <Group gap="xs" wrap="nowrap">
            <Progress
              value={strength.percent}
              color={strength.color}
              size="sm"
              flex={1}
              aria-label={t('signing.passphrase.strengthLabel')}
            />
            <Text size="xs" c={strength.color} w={72} ta="right">
              {t(strength.labelKey)}
            </Text>
          </Group>
          {problem !== undefined && (
            <Text size="xs" c="red" data-testid="passphrase-problem">
              {problem}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
