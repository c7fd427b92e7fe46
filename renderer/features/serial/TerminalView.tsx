// Terminal: output with timestamps/hex/autoscroll toggles, and an input with line ending or hex mode and history.
import { Alert, Button, Checkbox, Group, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { lineEndings, type LineEnding, type SerialSession } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { TerminalOutput } from './TerminalOutput.js';
import { useSendHistory, useSendSerial } from './serialQueries.js';
import type { useTerminalStream } from './useTerminalStream.js';

export function TerminalView({
  session,
  stream,
}: {
  session: SerialSession;
  stream: ReturnType<typeof useTerminalStream>;
}) {
  const { t } = useTranslation();
  const [timestamps, setTimestamps] = useState(true);
  const [hexView, setHexView] = useState(false);
  const [autoscroll, setAutoscroll] = useState(true);
  const [echo, setEcho] = useState(true);
  const [mode, setMode] = useState<'text' | 'hex'>('text');
  const [ending, setEnding] = useState<LineEnding>('crlf');
  const [input, setInput] = useState('');
  const [historyIndex, setHistoryIndex] = useState<number | undefined>();
  const send = useSendSerial(session.id);
  const history = useSendHistory(session.id).data?.lines ?? [];

  const submit = () => {
    if (mode === 'hex' && input.trim() === '') return;
    send.mutate(mode === 'text' ? { mode, text: input, lineEnding: ending } : { mode, hex: input }, {
      onSuccess: () => {
        setInput('');
        setHistoryIndex(undefined);
      },
    });
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    if (history.length === 0) return;
    e.preventDefault();
    const current = historyIndex ?? history.length;
    const next = Math.min(history.length, Math.max(0, current + (e.key === 'ArrowUp' ? -1 : 1)));
    setHistoryIndex(next);
    setInput(history[next] ?? '');
  };

  return (
    <Stack gap="xs">
      <Group gap="md">
        <Checkbox
          size="xs"
          label={t('serial.terminal.timestamps')}
          checked={timestamps}
          onChange={(e) => setTimestamps(e.currentTarget.checked)}
        />
        <Checkbox
          size="xs"
          label={t('serial.terminal.hexView')}
          checked={hexView}
          onChange={(e) => setHexView(e.currentTarget.checked)}
        />
        <Checkbox
          size="xs"
          label={t('serial.terminal.autoscroll')}
          checked={autoscroll}
          onChange={(e) => setAutoscroll(e.currentTarget.checked)}
        />
        <Checkbox
          size="xs"
          label={t('serial.terminal.localEcho')}
          checked={echo}
          onChange={(e) => setEcho(e.currentTarget.checked)}
        />
        <Button size="compact-xs" variant="subtle" onClick={() => stream.store.clear()}>
          {t('serial.terminal.clear')}
        </Button>
      </Group>
      <TerminalOutput
        lines={echo ? stream.store.buffer.lines : stream.store.buffer.lines.filter((l) => l.direction === 'in')}
        version={stream.version}
        timestamps={timestamps}
        hex={hexView}
        autoscroll={autoscroll}
        height={360}
        label={t('serial.terminal.output')}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Group gap="xs" wrap="nowrap" align="flex-end">
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={setMode}
            data={[
              { value: 'text', label: t('serial.terminal.text') },
              { value: 'hex', label: t('serial.terminal.hex') },
            ]}
          />
          <TextInput
            style={{ flex: 1 }}
            size="xs"
            ff="monospace"
            aria-label={t('serial.terminal.input')}
            placeholder={mode === 'hex' ? '41 54 0D 0A' : t('serial.terminal.inputPlaceholder')}
            value={input}
            onChange={(e) => setInput(e.currentTarget.value)}
            onKeyDown={onKey}
          />
          {mode === 'text' && (
            <Select
              size="xs"
              w={110}
              aria-label={t('serial.terminal.lineEnding')}
              data={lineEndings.map((v) => ({ value: v, label: t(`serial.terminal.endings.${v}`) }))}
              value={ending}
              onChange={(v) => setEnding(v ?? 'crlf')}
              allowDeselect={false}
            />
          )}
          <Button
            size="xs"
            type="submit"
            leftSection={<IconSend size={14} />}
            loading={send.isPending}
            disabled={session.status !== 'open'}
          >
            {t('serial.terminal.send')}
          </Button>
        </Group>
      </form>
      {send.isError && (
        <Alert color="red" variant="light" p="xs" role="alert">
          {describeApiError(send.error).message}
        </Alert>
      )}
    </Stack>
  );
}
