// Top-bar status: one badge per listening port, the live-events connection and connected devices.
import { Group, Tooltip } from '@mantine/core';
import { IconCpu } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { usePlatformInfo } from '../api/platformQueries.js';
import { useEventsStatus } from '../api/useBusEvents.js';
import { StatusBadge } from '../ui/StatusBadge.js';
import { useConnectedDevices } from './useConnectedDevices.js';

/** Device ports first, the API last; anything later capabilities add goes in between, by name. */
export function orderPorts(ports: Record<string, number>): [string, number][] {
  const rank = (name: string) => (name === 'mqtt' ? 0 : name === 'coap' ? 1 : name === 'api' ? 3 : 2);
  return Object.entries(ports).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

export function PlatformStatus() {
  const { t } = useTranslation();
  const info = usePlatformInfo();
  const eventsStatus = useEventsStatus();
  const devices = useConnectedDevices();

  if (info.isPending) {
    return <StatusBadge tone="busy">{t('status.connecting')}</StatusBadge>;
  }
  if (info.isError) {
    return <StatusBadge tone="error">{t('status.coreUnreachable')}</StatusBadge>;
  }

  return (
    <Group gap={6} wrap="nowrap" aria-label={t('status.label')} role="group">
      {orderPorts(info.data.ports).map(([name, port]) => (
        <StatusBadge key={name} tone="ok" data-testid={`port-badge-${name}`}>
          {t(`portNames.${name}`, { defaultValue: name.toUpperCase() })} :{port}
        </StatusBadge>
      ))}
      <Tooltip label={t(`status.events.${eventsStatus}Hint`)} withArrow>
        <StatusBadge
          tone={eventsStatus === 'open' ? 'ok' : eventsStatus === 'connecting' ? 'warning' : 'neutral'}
          variant="dot"
          tabIndex={0}
        >
          {t(`status.events.${eventsStatus}`)}
        </StatusBadge>
      </Tooltip>
      <StatusBadge
        tone={devices ? 'ok' : 'neutral'}
        leftSection={<IconCpu size={12} />}
        data-testid="connected-devices"
      >
        {t('status.devices', { count: devices ?? 0 })}
      </StatusBadge>
    </Group>
  );
}
