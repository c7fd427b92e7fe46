// Top bar: product name, platform status, log drawer button, language and theme.
import { ActionIcon, Burger, Group, Text, Tooltip } from '@mantine/core';
import { IconFileText, IconRouter } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './LanguageSwitch.js';
import { PlatformStatus } from './PlatformStatus.js';
import { ThemeToggle } from './ThemeToggle.js';

export interface TopBarProps {
  navbarOpened: boolean;
  onToggleNavbar: () => void;
  onOpenLogs: () => void;
}

export function TopBar({ navbarOpened, onToggleNavbar, onOpenLogs }: TopBarProps) {
  const { t } = useTranslation();
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
      <Group gap="xs" wrap="nowrap">
        <Burger opened={navbarOpened} onClick={onToggleNavbar} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
        <IconRouter size={20} stroke={1.6} color="var(--mantine-primary-color-filled)" aria-hidden />
        <Text fw={600} size="md" style={{ whiteSpace: 'nowrap' }}>
          {t('app.name')}
        </Text>
      </Group>
      <Group gap="xs" wrap="nowrap" style={{ overflow: 'hidden' }}>
        <Group visibleFrom="md" wrap="nowrap">
          <PlatformStatus />
        </Group>
        <Tooltip label={t('logs.open')} withArrow>
          <ActionIcon color="gray" size="lg" onClick={onOpenLogs} aria-label={t('logs.open')}>
            <IconFileText size={18} />
          </ActionIcon>
        </Tooltip>
        <LanguageSwitch />
        <ThemeToggle />
      </Group>
    </Group>
  );
}
