// Counts per status that double as the status filter: click "Offline 12" to list the offline devices.
import { Group, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { deviceStatuses, type DeviceCounts, type DeviceStatus } from '../../../core/contract/index.js';

const dotColor: Record<DeviceStatus | 'all', string> = {
  all: 'var(--mantine-color-dimmed)',
  online: 'var(--mantine-color-teal-6)',
  offline: 'var(--mantine-color-gray-6)',
  inactive: 'var(--mantine-color-blue-6)',
  abnormal: 'var(--mantine-color-red-6)',
};

export interface StatusCountFilterProps {
  counts: DeviceCounts | undefined;
  value: DeviceStatus | undefined;
  onChange: (status: DeviceStatus | undefined) => void;
}

export function StatusCountFilter({ counts, value, onChange }: StatusCountFilterProps) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" data-testid="device-counts" role="group" aria-label={t('devices.list.status')}>
      {(['all', ...deviceStatuses] as const).map((s) => {
        const active = s === 'all' ? value === undefined : value === s;
        const label = s === 'all' ? t('devices.counts.all') : t(`devices.status.${s}`);
        return (
          <UnstyledButton
            key={s}
            aria-pressed={active}
            data-status={s}
            onClick={() => onChange(s === 'all' ? undefined : s)}
            px="sm"
            py={6}
            style={{
              borderRadius: 'var(--mantine-radius-md)',
              border: `1px solid ${active ? 'var(--mantine-primary-color-filled)' : 'var(--mantine-color-default-border)'}`,
              background: active ? 'var(--mantine-primary-color-light)' : undefined,
              minWidth: 92,
            }}
          >
            <Group gap={6} wrap="nowrap">
              <span
                aria-hidden
                style={{ width: 8, height: 8, borderRadius: 4, background: dotColor[s], display: 'inline-block' }}
              />
              <Text size="xs" c="dimmed">
                {label}
              </Text>
            </Group>
            <Text fw={600} size="lg" lh={1.3}>
              {counts ? counts[s].toLocaleString() : '–'}
            </Text>
          </UnstyledButton>
        );
      })}
    </Group>
  );
}
