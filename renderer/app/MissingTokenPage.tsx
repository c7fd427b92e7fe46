// Shown when the page was opened without the access token the API needs.
import { Alert, Center, Code, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './LanguageSwitch.js';
import { ThemeToggle } from './ThemeToggle.js';

export function MissingTokenPage({ reason }: { reason: 'missing' | 'bridge-failed'; detail?: string }) {
  const { t } = useTranslation();
  const origin = window.location.origin.startsWith('http') ? window.location.origin : 'http://127.0.0.1:PORT';
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" maw={620} w="100%" radius="md">
        <Stack gap="md">
          <Group justify="space-between" wrap="nowrap">
            <Text fw={600} c="dimmed" size="sm">
              {t('app.name')}
            </Text>
            <Group gap={4} wrap="nowrap">
              <LanguageSwitch />
              <ThemeToggle />
            </Group>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <IconKey size={22} stroke={1.6} aria-hidden />
            <Title order={1} size="h3">
              {t('missingToken.title')}
            </Title>
          </Group>
          <Text>{reason === 'missing' ? t('missingToken.explanation') : t('missingToken.bridgeFailed')}</Text>
          <List type="ordered" spacing="xs" size="sm">
            <List.Item>
              {t('missingToken.stepStart')} <Code>iotwb serve</Code>
            </List.Item>
            <List.Item>
              {t('missingToken.stepOpen')} <Code>{`${origin}/#token=…`}</Code>
            </List.Item>
          </List>
          <Alert variant="light" color="gray">
            <Text size="sm">{t('missingToken.why')}</Text>
          </Alert>
        </Stack>
      </Paper>
    </Center>
  );
}
