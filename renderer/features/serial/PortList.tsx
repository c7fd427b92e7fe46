// Serial ports with USB details, who owns each, and the virtual modules (an emulated NB-IoT module on a pty pair).
import { ActionIcon, Alert, Badge, Button, Card, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconCpu, IconPlayerStop, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useSerialPorts, useStartVirtualModule, useStopVirtualModule, useVirtualModules } from './serialQueries.js';

export function PortList({ onOpen }: { onOpen: (path: string) => void }) {
  const { t } = useTranslation();
  const ports = useSerialPorts();
  const virtual = useVirtualModules();
  const start = useStartVirtualModule();
  const stop = useStopVirtualModule();

  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{t('serial.ports.title')}</Text>
        <Tooltip label={t('serial.ports.refresh')}>
          <ActionIcon variant="subtle" aria-label={t('serial.ports.refresh')} onClick={() => void ports.refetch()}>
            <IconRefresh size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {ports.isPending ? (
        <LoadingState />
      ) : ports.isError ? (
        <ErrorState error={ports.error} onRetry={() => void ports.refetch()} />
      ) : (
        <Stack gap="xs">
          {ports.data.listError && (
            <Alert color="yellow" variant="light" p="xs">
              <Text size="xs">{ports.data.listError}</Text>
            </Alert>
          )}
          {ports.data.ports.length === 0 && (
            <EmptyState title={t('serial.ports.empty')}>{t('serial.ports.emptyHint')}</EmptyState>
          )}
          {ports.data.ports.map((p) => (
            <Card key={p.path} withBorder padding="xs" radius="sm" data-testid="serial-port">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {p.path}
                  </Text>
                  <Group gap={4}>
                    {p.virtual && (
                      <Badge size="xs" color="grape" variant="light">
                        {t('serial.ports.virtual')}
                      </Badge>
                    )}
                    {p.vendorId && (
                      <Badge size="xs" variant="outline" ff="monospace">
                        {p.vendorId}:{p.productId ?? '?'}
                      </Badge>
                    )}
                    {p.owner && (
                      <Badge size="xs" color="orange" variant="light">
                        {t('serial.ports.inUse')}
                      </Badge>
                    )}
                  </Group>
                  {(p.manufacturer || p.serialNumber) && (
                    <Text size="xs" c="dimmed">
                      {[p.manufacturer, p.serialNumber].filter(Boolean).join(' · ')}
                    </Text>
                  )}
                </Stack>
                <Button
                  size="xs"
                  variant="light"
                  style={{ flexShrink: 0 }}
                  disabled={p.owner !== undefined}
                  onClick={() => onOpen(p.path)}
                >
                  {t('serial.ports.open')}
                </Button>
              </Group>
            </Card>
          ))}
          <Button size="xs" variant="subtle" onClick={() => onOpen('')}>
            {t('serial.ports.openOther')}
          </Button>
        </Stack>
      )}
      <Text fw={600} mt="md" mb="xs">
        {t('serial.virtual.title')}
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        {t('serial.virtual.hint')}
      </Text>
      {virtual.data && !virtual.data.available ? (
        <Alert color="yellow" variant="light" p="xs">
          <Text size="xs">{t('serial.virtual.unavailable')}</Text>
        </Alert>
      ) : (
        <Button size="xs" leftSection={<IconCpu size={14} />} loading={start.isPending} onClick={() => start.mutate()}>
          {t('serial.virtual.start')}
        </Button>
      )}
      <Stack gap={4} mt="xs">
        {virtual.data?.modules.map((m) => (
          <Group key={m.id} justify="space-between" wrap="nowrap">
            <Text size="xs" ff="monospace">
              {t('serial.virtual.imei', { imei: m.imei })}
            </Text>
            <Tooltip label={t('serial.virtual.stop')}>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="red"
                aria-label={t('serial.virtual.stop')}
                onClick={() => stop.mutate(m.id)}
              >
                <IconPlayerStop size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
