// Signal gauge from NUESTATS (RSRP, SINR) with the NB-IoT coverage level or from CSQ's RSSI.
import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const levelColor = ['green', 'yellow', 'red'] as const;

/** RSRP -140 … -44 dBm mapped to 0 … 100 %. */
const rsrpPercent = (dbm: number): number => Math.max(0, Math.min(100, ((dbm + 140) / 96) * 100));

export function SignalGauge({ fields }: { fields: Record<string, string | number | boolean> }) {
  const { t } = useTranslation();
  const rsrp = typeof fields.rsrpDbm === 'number' ? fields.rsrpDbm : undefined;
  const rssi = typeof fields.rssiDbm === 'number' ? fields.rssiDbm : undefined;
  const dbm = rsrp ?? rssi;
  if (dbm === undefined) return null;
  const level = typeof fields.coverageLevel === 'number' ? fields.coverageLevel : undefined;
  const color = level !== undefined ? (levelColor[level] ?? 'red') : 'blue';
  return (
    <Stack gap={4} data-testid="signal-gauge">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {rsrp !== undefined ? t('serial.at.rsrp', { dbm }) : t('serial.at.rssi', { dbm })}
          {typeof fields.sinrDb === 'number' ? ` · ${t('serial.at.sinr', { db: fields.sinrDb })}` : ''}
        </Text>
        {level !== undefined && (
          <Badge color={color} variant="light">
            {t('serial.at.coverage', { level })} · {t(`serial.at.coverageLevels.${level}`)}
          </Badge>
        )}
      </Group>
      <Progress value={rsrpPercent(dbm)} color={color} aria-label={t('serial.at.signal')} />
    </Stack>
  );
}
