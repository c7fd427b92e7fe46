// A sub-device's gateway on its page: a link to the gateway and where its state comes from — "reported by
// gateway …", and since when that gateway is gone when it vanished (R-17.2).
import { Anchor, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Device } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { useSubDeviceState } from './gatewayQueries.js';

export function SubDeviceGateway({ device }: { device: Device & { gatewayId: string } }) {
  const { t } = useTranslation();
  const state = useSubDeviceState(device.deviceId, true);
  const s = state.data;
  const gateway = s?.gatewayName ?? device.gatewayId;
  return (
    <Stack gap={2} data-testid="sub-device-gateway">
      <Anchor component={Link} to={`/devices/${encodeURIComponent(device.gatewayId)}?tab=gateway`} size="sm">
        {gateway}
      </Anchor>
      {s && (
        <Text size="xs" c={s.gatewayConnected ? 'dimmed' : 'orange'}>
          {s.gatewayConnected
            ? t('gateways.sub.stateOnline', { gateway })
            : s.gatewayOfflineSince
              ? t('gateways.sub.stateOffline', { gateway, time: formatDateTime(s.gatewayOfflineSince) })
              : t('gateways.sub.stateGone', { gateway })}
        </Text>
      )}
      {s?.statusReportedAt && s.reportedStatus && (
        <Text size="xs" c="dimmed">
          {t('gateways.sub.lastStatus', { status: s.reportedStatus, time: formatDateTime(s.statusReportedAt) })}
        </Text>
      )}
    </Stack>
  );
}
