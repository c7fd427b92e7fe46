// The lower panes for the selected frame: the layered details beside the bytes, linked both ways, with copy actions.
import { Button, CopyButton, Group, Paper, ScrollArea, Text } from '@mantine/core';
import { IconCopy, IconDevices } from '@tabler/icons-react';
import { memo, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { AddCodecSampleButton } from './AddCodecSample.js';
import { DetailTree } from './DetailTree.js';
import { fieldAtByte, fieldRange, indexFields } from './fieldIndex.js';
import { HexView } from './HexView.js';
import { useTrafficFrame } from './trafficQueries.js';

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const FramePanes = memo(function FramePanes({
  seq,
  onShowDevice,
}: {
  seq: number | undefined;
  onShowDevice: (deviceId: string) => void;
}) {
  const { t } = useTranslation();
  const frame = useTrafficFrame(seq);
  const [selectedId, setSelectedId] = useState<string>();
  const bytes = useMemo(
    () => (frame.data ? Uint8Array.from(atob(frame.data.bytesBase64), (c) => c.charCodeAt(0)) : new Uint8Array()),
    [frame.data],
  );
  const fields = useMemo(() => indexFields(frame.data?.layers ?? []), [frame.data]);
  const selected = fields.find((f) => f.id === selectedId);

  if (seq === undefined) {
    return (
      <Paper withBorder p="md" style={{ flex: '0 0 auto' }}>
        <Text c="dimmed" size="sm">
          {t('traffic.selectFrame')}
        </Text>
      </Paper>
    );
  }
  const decodedJson = frame.data
    ? JSON.stringify(
        {
          summary: frame.data.summary,
          layers: frame.data.layers,
          ...(frame.data.decoded !== undefined ? { decoded: frame.data.decoded } : {}),
        },
        null,
        2,
      )
    : '';

  return (
    <Group align="stretch" gap="xs" wrap="nowrap" style={{ flex: '1 1 0', minHeight: 240 }}>
      <Paper withBorder style={{ flex: '1 1 50%', minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <Group
          justify="space-between"
          px="xs"
          py={4}
          style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
        >
          <Text size="sm" fw={600}>
            {t('traffic.details')}
          </Text>
          <Group gap={4}>
            {frame.data?.deviceId ? (
              <Button
                size="compact-xs"
                variant="subtle"
                leftSection={<IconDevices size={12} />}
                onClick={() => onShowDevice(frame.data.deviceId!)}
              >
                {t('traffic.showDevice')}
              </Button>
            ) : null}
            <AddCodecSampleButton frame={frame.data} />
            <CopyButton value={decodedJson}>
              {({ copied, copy }) => (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  leftSection={<IconCopy size={12} />}
                  onClick={copy}
                  disabled={!frame.data}
                >
                  {copied ? t('common.copied') : t('traffic.copyJson')}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Group>
        <ScrollArea style={{ flex: 1 }} p={4}>
          {frame.isPending ? (
            <LoadingState />
          ) : frame.isError ? (
            <ErrorState error={frame.error} />
          ) : (
            <>
              <DetailTree layers={frame.data.layers} selectedId={selectedId} onSelect={setSelectedId} />
              {frame.data.codec?.status === 'pending' ? (
                <Text size="xs" c="dimmed" pl={24} data-testid="codec-pending">
                  {t('traffic.codecPending')}
                </Text>
              ) : null}
            </>
          )}
        </ScrollArea>
      </Paper>
      <Paper withBorder style={{ flex: '1 1 50%', minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <Group
          justify="space-between"
          px="xs"
          py={4}
          style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
        >
          <Text size="sm" fw={600}>
            {t('traffic.bytes', { count: bytes.length })}
          </Text>
          <CopyButton value={toHex(bytes)}>
            {({ copied, copy }) => (
              <Button
                size="compact-xs"
                variant="subtle"
                leftSection={<IconCopy size={12} />}
                onClick={copy}
                disabled={!frame.data}
              >
                {copied ? t('common.copied') : t('traffic.copyHex')}
              </Button>
            )}
          </CopyButton>
        </Group>
        <ScrollArea style={{ flex: 1 }} p="xs">
          <HexView
            bytes={bytes}
            highlight={fieldRange(selected)}
            onByteClick={(offset) => setSelectedId(fieldAtByte(fields, offset)?.id)}
          />
        </ScrollArea>
      </Paper>
    </Group>
  );
});
