// A device's status as a coloured badge.
import { useTranslation } from 'react-i18next';
import type { DeviceStatus } from '../../../core/contract/index.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';

const tone: Record<DeviceStatus, StatusTone> = {
  online: 'ok',
  offline: 'neutral',
  inactive: 'busy',
  abnormal: 'error',
};

export function DeviceStatusBadge({ status }: { status: DeviceStatus }) {
  const { t } = useTranslation();
  return <StatusBadge tone={tone[status]}>{t(`devices.status.${status}`)}</StatusBadge>;
}
