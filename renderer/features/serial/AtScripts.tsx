// Saved AT scripts: write one step per line (`COMMAND` or `COMMAND => expected text`), save, run, see each step.
import { Badge, Button, Card, Group, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SerialSession } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useAtScripts, useRunAtScript, useSaveAtScript } from './serialQueries.js';

/** `AT+NCDP? => 192.168.1.20` → command and expected text. */
export function parseScriptText(text: string): { command: string; expect?: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [command = '', expect] = l.split('=>').map((p) => p.trim());
      return expect ? { command, expect } : { command };
    });
}

const scriptIdOf = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64) || 'script';

export function AtScripts({ session }: { session: SerialSession }) {
  const { t } = useTranslation();
  const scripts = useAtScripts();
  const save = useSaveAtScript();
  const run = useRunAtScript(session.id);
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [text, setText] = useState('AT+CGSN=1\nAT+NUESTATS\nAT+NCDP?');

  const select = (id: string | null) => {
    setSelected(id);
    const script = scripts.data?.scripts.find((s) => s.id === id);
    if (script) {
      setName(script.name);
      setText(script.steps.map((s) => (s.expect ? `${s.command} => ${s.expect}` : s.command)).join('\n'));
    }
  };

  const steps = parseScriptText(text);
  const error = save.error ?? run.error;

  return (
    <Card withBorder padding="sm">
      <Text fw={600} size="sm" mb="xs">
        {t('serial.scripts.title')}
      </Text>
      <Stack gap="xs">
        <Group gap="xs" grow>
          <Select
            size="xs"
            placeholder={t('serial.scripts.pick')}
            aria-label={t('serial.scripts.pick')}
            data={(scripts.data?.scripts ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={selected}
            onChange={select}
            clearable
          />
          <TextInput
            size="xs"
            placeholder={t('serial.scripts.name')}
            aria-label={t('serial.scripts.name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </Group>
        <Textarea
          size="xs"
          autosize
          minRows={3}
          maxRows={10}
          ff="monospace"
          aria-label={t('serial.scripts.steps')}
          description={t('serial.scripts.stepsHint')}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            disabled={name.trim() === '' || steps.length === 0}
            loading={save.isPending}
            onClick={() =>
              save.mutate(
                { scriptId: scriptIdOf(name), name: name.trim(), steps },
                { onSuccess: (s) => setSelected(s.id) },
              )
            }
          >
            {t('serial.scripts.save')}
          </Button>
          <Button
            size="xs"
            disabled={!selected || session.status !== 'open'}
            loading={run.isPending}
            onClick={() => selected && run.mutate(selected)}
          >
            {t('serial.scripts.run')}
          </Button>
          {run.data && (
            <Badge color={run.data.passed ? 'green' : 'red'} variant="light">
              {run.data.passed ? t('serial.scripts.passed') : t('serial.scripts.failed')}
            </Badge>
          )}
        </Group>
        {error && (
          <Text size="xs" c="red" role="alert">
            {describeApiError(error).message}
          </Text>
        )}
        {run.data?.steps.map((s, i) => (
          <Group key={i} gap="xs" wrap="nowrap">
            <Badge size="xs" color={s.passed ? 'green' : 'red'} variant="light" w={60}>
              {s.passed ? t('serial.scripts.stepOk') : t('serial.scripts.stepFail')}
            </Badge>
            <Text size="xs" ff="monospace">
              {s.command}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace" truncate>
              {[...s.result.lines, ...s.result.urcs].join(' | ')}
            </Text>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
