// Language and colour scheme; both are remembered in this browser/app.
import {
  Card,
  SegmentedControl,
  Stack,
  Text,
  Title,
  useMantineColorScheme,
  type MantineColorScheme,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { changeLanguage, isSupportedLanguage, languageNames, supportedLanguages } from '../../app/i18n.js';
import { colorSchemeChoices } from '../../app/ThemeToggle.js';

function isColorScheme(value: string): value is MantineColorScheme {
  return value === 'light' || value === 'dark' || value === 'auto';
}

export function AppearanceSettings() {
  const { t, i18n } = useTranslation();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const language = isSupportedLanguage(i18n.language) ? i18n.language : 'en';

  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="sm">
        {t('settings.appearance.title')}
      </Title>
      <Stack gap="sm">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="settings-language-label">
            {t('settings.appearance.language')}
          </Text>
          <SegmentedControl
            aria-labelledby="settings-language-label"
            w="fit-content"
            value={language}
            onChange={(value) => {
              if (isSupportedLanguage(value)) void changeLanguage(value);
            }}
            data={supportedLanguages.map((value) => ({ value, label: languageNames[value] }))}
          />
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="settings-theme-label">
            {t('settings.appearance.theme')}
          </Text>
          <SegmentedControl
            aria-labelledby="settings-theme-label"
            w="fit-content"
            value={colorScheme}
            onChange={(value) => {
              if (isColorScheme(value)) setColorScheme(value);
            }}
            data={colorSchemeChoices.map(({ value, labelKey }) => ({ value, label: t(labelKey) }))}
          />
        </Stack>
      </Stack>
    </Card>
  );
}
