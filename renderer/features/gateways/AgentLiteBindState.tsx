// An MQTT device registered in verification-code mode, as Agent Lite devices are: waiting for its one
// bind (nodeId + verify code on the bind port), or bound and holding its MQTT secret since when.
import { Badge, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';

/** Only MQTT devices bind; a verify-code device that has not bound yet, or one that did. */
export const hasBindState = (d: Device) =>
  d.protocolType === 'MQTT' && (d.boundAt !== undefined || (d.verifyCode !== undefined && !d.activated));

export function AgentLiteBindState({ device: d }: { device: Device }) {
  const { t } = useTranslation();
  if (d.boundAt !== undefined)
    return (
      <Stack gap={2} data-testid="bind-state">
        <Badge color="teal" variant="light">
          {t('gateways.bind.bound')}
        </Badge>
        <Text size="xs" c="dimmed">
          {t('gateways.bind.boundAt', { time: formatDateTime(d.boundAt) })}
        </Text>
      </Stack>
    );
  return (
    <Stack gap={2} data-testid="bind-state">
      <Badge color="orange" variant="light">
        {t('gateways.bind.waiting')}
      </Badge>
      <Text size="xs" c="dimmed">
        {d.activationDeadline
          ? t('gateways.bind.hintUntil', { nodeId: d.nodeId, time: formatDateTime(d.activationDeadline) })
          : t('gateways.bind.hint', { nodeId: d.nodeId })}
      </Text>
    </Stack>
  );
}
