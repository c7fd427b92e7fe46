// Top-bar menu for the colour scheme: light, dark, or follow the system.
import { ActionIcon, Menu, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { IconCheck, IconDeviceDesktop, IconMoon, IconSun, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

interface ColorSchemeChoice {
  value: MantineColorScheme;
  labelKey: string;
  icon: Icon;
}

const followSystem: ColorSchemeChoice = { value: 'auto', labelKey: 'theme.auto', icon: IconDeviceDesktop };

export const colorSchemeChoices: readonly ColorSchemeChoice[] = [
  { value: 'light', labelKey: 'theme.light', icon: IconSun },
  { value: 'dark', labelKey: 'theme.dark', icon: IconMoon },
  followSystem,
];

export function ThemeToggle() {
  const { t } = useTranslation();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const current = colorSchemeChoices.find((choice) => choice.value === colorScheme) ?? followSystem;
  const CurrentIcon = current.icon;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon color="gray" size="lg" aria-label={t('theme.switch', { current: t(current.labelKey) })}>
          <CurrentIcon size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {colorSchemeChoices.map(({ value, labelKey, icon: ChoiceIcon }) => (
          <Menu.Item
            key={value}
            leftSection={<ChoiceIcon size={14} />}
            rightSection={value === colorScheme ? <IconCheck size={14} /> : null}
            onClick={() => setColorScheme(value)}
          >
            {t(labelKey)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
