// AT console: the command library (search, descriptions), a command line, the parsed result, signal and scripts.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Grid,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { IconPlayerPlay, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AtResult, SerialSession } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { AtScripts } from './AtScripts.js';
import { SignalGauge } from './SignalGauge.js';
import { useAtLibrary, useRunAt } from './serialQueries.js';

const finalColor = { ok: 'green', error: 'red', 'cme-error': 'red', timeout: 'orange' } as const;

function AtResultView({ result }: { result: AtResult }) {
  const { t } = useTranslation();
  const fields = Object.entries(result.fields ?? {});
  return (
    <Stack gap="xs" data-testid="at-result">
      <Group gap="xs">
        <Code>{result.command}</Code>
        <Badge color={finalColor[result.final]} variant="light">
          {result.final === 'cme-error'
            ? t('serial.at.cmeError', { code: result.cmeError ?? '?' })
            : t(`serial.at.finals.${result.final}`)}
        </Badge>
        <Text size="xs" c="dimmed">
          {t('serial.at.duration', { ms: result.durationMs })}
        </Text>
      </Group>
      {result.fields && <SignalGauge fields={result.fields} />}
      {fields.length > 0 && (
        <Table withTableBorder withColumnBorders striped>
          <Table.Tbody>
            {fields.map(([key, value]) => (
              <Table.Tr key={key}>
                <Table.Th w={180}>{t(`serial.at.fields.${key}`, { defaultValue: key })}</Table.Th>
                <Table.Td ff="monospace" data-testid={`at-field-${key}`}>
                  {String(value)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {result.parseError && (
        <Text size="xs" c="orange">
          {t('serial.at.parseError', { message: result.parseError })}
        </Text>
      )}
      {result.lines.length > 0 && (
        <Stack gap={2}>
          <Text size="xs" fw={500}>
            {t('serial.at.response')}
          </Text>
          <Code block>{result.lines.join('\n')}</Code>
        </Stack>
      )}
      {result.urcs.length > 0 && (
        <Stack gap={2}>
          <Text size="xs" fw={500}>
            {t('serial.at.urcs')}
          </Text>
          <Code block>{result.urcs.join('\n')}</Code>
        </Stack>
      )}
    </Stack>
  );
}

export function AtConsole({ session }: { session: SerialSession }) {
  const { t } = useTranslation();
  const library = useAtLibrary();
  const run = useRunAt(session.id);
  const [search, setSearch] = useState('');
  const [command, setCommand] = useState('AT+CGSN=1');

  const commands = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (library.data?.commands ?? []).filter(
      (c) =>
        q === '' || c.command.toLowerCase().includes(q) || t(`serial.at.commands.${c.id}`).toLowerCase().includes(q),
    );
  }, [library.data, search, t]);

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Card withBorder padding="xs">
          <TextInput
            size="xs"
            leftSection={<IconSearch size={14} />}
            placeholder={t('serial.at.search')}
            aria-label={t('serial.at.search')}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            mb="xs"
          />
          <ScrollArea h={380}>
            <Stack gap={2}>
              {commands.map((c) => (
                <UnstyledButton
                  key={c.id}
                  onClick={() => setCommand(c.template ?? c.command)}
                  p={6}
                  style={{ borderRadius: 4 }}
                  className="serial-at-command"
                >
                  <Text size="sm" ff="monospace">
                    {c.template ?? c.command}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t(`serial.at.commands.${c.id}`)}
                  </Text>
                </UnstyledButton>
              ))}
              {commands.length === 0 && (
                <Text size="xs" c="dimmed" p="xs">
                  {t('serial.at.noMatch')}
                </Text>
              )}
            </Stack>
          </ScrollArea>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="sm">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (command.trim()) run.mutate(command.trim());
            }}
          >
            <Group gap="xs" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                ff="monospace"
                aria-label={t('serial.at.command')}
                value={command}
                onChange={(e) => setCommand(e.currentTarget.value)}
              />
              <Button
                type="submit"
                leftSection={<IconPlayerPlay size={14} />}
                loading={run.isPending}
                disabled={session.status !== 'open'}
              >
                {t('serial.at.run')}
              </Button>
            </Group>
          </form>
          {run.isError && (
            <Alert color="red" variant="light" role="alert">
              {describeApiError(run.error).message}
            </Alert>
          )}
          {run.data ? (
            <AtResultView result={run.data} />
          ) : (
            <Text size="sm" c="dimmed">
              {t('serial.at.hint')}
            </Text>
          )}
          <AtScripts session={session} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
