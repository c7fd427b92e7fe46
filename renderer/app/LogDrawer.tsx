// Bottom drawer with the core's log: level-coloured lines, newest at the bottom, following new lines
// while the view is scrolled to the end.
import { Badge, Box, Drawer, Group, ScrollArea, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogEntry } from '../../core/contract/index.js';
import { EmptyState, ErrorState, LoadingState } from '../ui/QueryStates.js';

const levelColor: Record<LogEntry['level'], string> = {
  trace: 'gray',
  debug: 'gray',
  info: 'blue',
  warn: 'yellow',
  error: 'red',
  fatal: 'grape',
};

function formatLogTime(time: number): string {
  const date = new Date(time);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function LogLine({ entry }: { entry: LogEntry }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" py={1} data-testid="log-line" data-level={entry.level}>
      <Text ff="monospace" size="xs" c="dimmed" style={{ flexShrink: 0 }}>
        {formatLogTime(entry.time)}
      </Text>
      <Badge color={levelColor[entry.level]} variant="light" size="xs" w={52} style={{ flexShrink: 0 }}>
        {entry.level}
      </Badge>
      <Text ff="monospace" size="xs" c="dimmed" w={64} truncate="end" title={entry.source} style={{ flexShrink: 0 }}>
        {entry.source}
      </Text>
      <Text ff="monospace" size="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {entry.message}
      </Text>
    </Group>
  );
}

export interface LogDrawerProps {
  opened: boolean;
  onClose: () => void;
  lines: LogEntry[];
  isLoading: boolean;
  error: unknown;
}

export function LogDrawer({ opened, onClose, lines, isLoading, error }: LogDrawerProps) {
  const { t } = useTranslation();
  const viewport = useRef<HTMLDivElement>(null);
  const followTail = useRef(true);

  useEffect(() => {
    const element = viewport.current;
    if (element && followTail.current) element.scrollTop = element.scrollHeight;
  }, [lines, opened]);

  const onScroll = () => {
    const element = viewport.current;
    if (element) followTail.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };

  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="bottom"
      size="45%"
      title={t('logs.title', { count: lines.length })}
      closeButtonProps={{ 'aria-label': t('logs.close') }}
      styles={{ body: { height: 'calc(100% - 56px)', paddingTop: 0 } }}
    >
      {isLoading && lines.length === 0 ? (
        <LoadingState />
      ) : error && lines.length === 0 ? (
        <ErrorState error={error} />
      ) : lines.length === 0 ? (
        <EmptyState title={t('logs.empty')} />
      ) : (
        <ScrollArea h="100%" viewportRef={viewport} onScrollPositionChange={onScroll} type="auto">
          <Box role="log" aria-label={t('logs.regionLabel')} tabIndex={0}>
            {lines.map((entry) => (
              <LogLine key={entry.seq} entry={entry} />
            ))}
          </Box>
        </ScrollArea>
      )}
    </Drawer>
  );
}
