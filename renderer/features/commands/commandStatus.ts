// How a command state looks: the badge tone of each state.
import type { CommandStatus } from '../../../core/contract/index.js';
import type { StatusTone } from '../../ui/StatusBadge.js';

export const commandTone: Record<CommandStatus, StatusTone> = {
  PENDING: 'neutral',
  SENT: 'busy',
  DELIVERED: 'busy',
  SUCCESSFUL: 'ok',
  FAILED: 'error',
  TIMEOUT: 'error',
  EXPIRED: 'warning',
  CANCELED: 'neutral',
};
