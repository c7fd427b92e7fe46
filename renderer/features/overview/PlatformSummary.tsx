// Version, uptime and data folder of the running core.
import { Card, SimpleGrid, Stack, Text } from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlatformInfo } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { formatDuration } from './formatDuration.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2} miw={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

/** Uptime that keeps counting between refetches of the platform info. */
function LiveUptime({ uptimeMs, fetchedAt }: { uptimeMs: number; fetchedAt: number }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  const ticker = useInterval(() => setNow(Date.now()), 1000);
  useEffect(() => {
    ticker.start();
    return ticker.stop;
  }, [ticker]);
  return <Text size="sm">{formatDuration(uptimeMs + Math.max(0, now - fetchedAt), t)}</Text>;
}

export function PlatformSummary({ info, fetchedAt }: { info: PlatformInfo; fetchedAt: number }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        <Fact label={t('overview.version')}>
          <Text size="sm" data-testid="platform-version">
            {info.version}
          </Text>
        </Fact>
        <Fact label={t('overview.uptime')}>
          <LiveUptime uptimeMs={info.uptimeMs} fetchedAt={fetchedAt} />
        </Fact>
        <Fact label={t('overview.runtime')}>
          <Text size="sm">{t('overview.runtimeValue', { os: info.os, node: info.node })}</Text>
        </Fact>
      </SimpleGrid>
      <Stack gap={2} mt="md">
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          {t('overview.dataFolder')}
        </Text>
        <CopyableValue value={info.dataDir} label={t('overview.dataFolder')} />
      </Stack>
    </Card>
  );
}
