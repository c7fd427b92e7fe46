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

export function DeviceStatusBadge({ status, size }: { status: DeviceStatus; size?: 'sm' | 'md' | 'lg' }) {
  const { t } = useTranslation();
  return (
    <StatusBadge tone={tone[status]} size={size}>
      {t(`devices.status.${status}`)}
    </StatusBadge>
  );
}
