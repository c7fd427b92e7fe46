// Colours of task and device states, shared by the Upgrades page and the device page's Upgrades tab.
import type { OtaSubTask } from '../../../core/contract/index.js';
import type { StatusTone } from '../../ui/StatusBadge.js';

export const statusTone: Record<string, StatusTone> = {
  waiting: 'neutral',
  running: 'busy',
  success: 'ok',
  fail: 'error',
  stopped: 'warning',
};

/** Colours of a device's state in a table (a badge would be cut in a narrow column). */
export const subStatusColor: Record<OtaSubTask['status'], string> = {
  waiting: 'dimmed',
  running: 'blue',
  success: 'teal',
  fail: 'red',
  stopped: 'yellow.8',
};
