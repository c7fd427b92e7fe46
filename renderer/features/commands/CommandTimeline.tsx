// One command's life: every stored state with its time and reason, the downlink bytes as sent (made by the codec
// or the JSON of the dialect) and a link to the device's frames in the traffic view.
import { Anchor, Badge, Code, Group, Stack, Text, Timeline } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DeviceCommand } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { useCommand } from './commandQueries.js';
import { commandTone } from './commandStatus.js';

const hexGroups = (hex: string) => hex.replace(/(..)/g, '$1 ').trim().toUpperCase();
/** JSON downlinks are shown as their text (as text, never as HTML). */
const hexText = (hex: string) =>
  new TextDecoder().decode(Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)));

export function CommandTimeline({ command }: { command: DeviceCommand }) {
  const { t } = useTranslation();
  const one = useCommand(command.commandId);
  const trafficFilter = `device == "${command.deviceId}"`;
  if (one.isPending) return <LoadingState />;
  if (one.isError) return <ErrorState error={one.error} onRetry={() => void one.refetch()} />;
  const data = one.data;
  return (
    <Stack gap="sm" data-testid="command-timeline">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {command.serviceId} · {command.method || command.kind}
        </Text>
        <Code>{JSON.stringify(command.paras)}</Code>
      </Group>
      <Timeline active={data.transitions.length - 1} bulletSize={14} lineWidth={2}>
        {data.transitions.map((step, i) => (
          <Timeline.Item
            key={i}
            title={<StatusBadge tone={commandTone[step.status]}>{t(`commands.status.${step.status}`)}</StatusBadge>}
          >
            <Text size="xs" c="dimmed">
              {formatDateTime(step.at)}
              {step.attempt !== undefined &&
                ` · ${t('commands.timeline.attempt', { attempt: step.attempt, of: command.maxRetransmit + 1 })}`}
              {step.answerBeforeAck && ` · ${t('commands.timeline.answerBeforeAck')}`}
              {step.reason ? ` · ${step.reason}` : ''}
            </Text>
            {step.topic && (
              <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {step.protocol === 'lwm2m' ? 'CoAP PUT ' : 'MQTT PUBLISH '}
                {step.topic}
              </Text>
            )}
            {step.bytesHex && (
              <Stack gap={2} mt={2}>
                <Group gap={4}>
                  <Badge size="xs" variant="light">
                    {step.codec ? t('commands.timeline.codecBytes') : t('commands.timeline.jsonBytes')}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {t('commands.timeline.bytes', { count: step.bytesHex.length / 2 })}
                  </Text>
                </Group>
                <Code
                  block
                  style={{ maxHeight: 120, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                >
                  {step.codec ? hexGroups(step.bytesHex) : hexText(step.bytesHex)}
                </Code>
              </Stack>
            )}
          </Timeline.Item>
        ))}
      </Timeline>
      {data.command.result && (
        <Text size="sm" data-testid="command-result">
          {t('commands.timeline.result')}:{' '}
          <Code>
            {JSON.stringify({
              ...(data.command.result.resultCode !== undefined ? { resultCode: data.command.result.resultCode } : {}),
              ...(data.command.result.body ? { body: data.command.result.body } : {}),
              ...(data.command.result.reason ? { reason: data.command.result.reason } : {}),
            })}
          </Code>
        </Text>
      )}
      <Anchor component={Link} to={`/traffic?filter=${encodeURIComponent(trafficFilter)}`} size="sm">
        {t('commands.timeline.traffic')}
      </Anchor>
    </Stack>
  );
}
