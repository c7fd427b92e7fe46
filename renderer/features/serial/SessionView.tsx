// One open session: its settings and status, RTS/DTR, save log and close, and the terminal or AT console.
import { Alert, Badge, Button, Group, SegmentedControl, Stack, Switch, Text } from '@mantine/core';
import { IconDeviceFloppy, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SerialSession } from '../../../core/contract/index.js';
import { AtConsole } from './AtConsole.js';
import { BringUpWizard } from './BringUpWizard.js';
import { TerminalView } from './TerminalView.js';
import { useCloseSession, useSaveLog, useSetSignals } from './serialQueries.js';
import { useTerminalStream } from './useTerminalStream.js';

const statusColor = { open: 'green', reconnecting: 'yellow', closed: 'gray', 'taken-over': 'orange' } as const;

export function SessionView({ session }: { session: SerialSession }) {
  const { t } = useTranslation();
  const [view, setView] = useState<'terminal' | 'at' | 'bring-up'>('terminal');
  const stream = useTerminalStream(session.id);
  const close = useCloseSession();
  const signals = useSetSignals();
  const saveLog = useSaveLog();
  const s = session.settings;
  const parity = s.parity === 'none' ? 'N' : s.parity[0]?.toUpperCase();

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Badge color={statusColor[session.status]} variant="light">
            {t(`serial.status.${session.status}`)}
          </Badge>
          <Text size="sm" ff="monospace">
            {s.path} · {s.baudRate} {s.dataBits}
            {parity}
            {s.stopBits}
            {s.flowControl !== 'none' ? ` · ${t(`serial.open.flows.${s.flowControl}`)}` : ''}
          </Text>
        </Group>
        <Group gap="sm">
          <Switch
            size="xs"
            label="RTS"
            checked={session.rts}
            onChange={(e) => signals.mutate({ id: session.id, rts: e.currentTarget.checked })}
          />
          <Switch
            size="xs"
            label="DTR"
            checked={session.dtr}
            onChange={(e) => signals.mutate({ id: session.id, dtr: e.currentTarget.checked })}
          />
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDeviceFloppy size={14} />}
            loading={saveLog.isPending}
            onClick={() => saveLog.mutate(session.id)}
          >
            {t('serial.session.saveLog')}
          </Button>
          <Button
            size="xs"
            variant="light"
            color="red"
            leftSection={<IconX size={14} />}
            loading={close.isPending}
            onClick={() => close.mutate(session.id)}
          >
            {t('serial.session.close')}
          </Button>
        </Group>
      </Group>
      {session.status !== 'open' && session.statusMessage && (
        <Alert color={statusColor[session.status]} variant="light" p="xs" role="status">
          <Text size="sm">{session.statusMessage}</Text>
        </Alert>
      )}
      {session.logFile && (
        <Text size="xs" c="dimmed">
          {t('serial.session.loggingTo', { file: session.logFile })}
        </Text>
      )}
      <SegmentedControl
        w="fit-content"
        value={view}
        onChange={setView}
        data={[
          { value: 'terminal', label: t('serial.session.terminal') },
          { value: 'at', label: t('serial.session.atConsole') },
          { value: 'bring-up', label: t('serial.session.bringUp') },
        ]}
      />
      <div hidden={view !== 'terminal'}>
        <TerminalView session={session} stream={stream} />
      </div>
      {view === 'at' && <AtConsole session={session} />}
      {view === 'bring-up' && <BringUpWizard session={session} />}
    </Stack>
  );
}
