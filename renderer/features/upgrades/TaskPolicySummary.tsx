// A task's policy in one line: when it starts, retries, the step timeout, rollout rate, abort threshold, app confirm.
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { OtaTask } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';

export function TaskPolicySummary({ task }: { task: Pick<OtaTask, 'policy' | 'appConfirm'> }) {
  const { t } = useTranslation();
  const p = task.policy;
  const parts = [
    p.executeType === 'custom' && p.startTime
      ? t('upgrades.policySummary.at', { time: formatDateTime(p.startTime) })
      : t(`upgrades.policy.${p.executeType}`),
    p.retryTimes > 0
      ? t('upgrades.policySummary.retries', { count: p.retryTimes, seconds: p.retryIntervalS })
      : t('upgrades.policySummary.noRetry'),
    t('upgrades.policySummary.stepTimeout', { seconds: p.stepTimeoutS }),
    p.ratePerMinute > 0
      ? t('upgrades.policySummary.rate', { count: p.ratePerMinute })
      : t('upgrades.policySummary.noRate'),
    ...(p.abortPercent !== undefined
      ? [t('upgrades.policySummary.abort', { percent: p.abortPercent, after: p.abortAfter ?? 1 })]
      : []),
    ...(task.appConfirm ? [t('upgrades.policySummary.appConfirm')] : []),
  ];
  return (
    <Text size="xs" c="dimmed" data-testid="upgrade-policy">
      {parts.join(' · ')}
    </Text>
  );
}
