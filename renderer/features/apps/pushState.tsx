// A callback URL's state as a badge: ok, failing (retrying), invalid (probed).
import { useTranslation } from 'react-i18next';
import type { PushUrlState } from '../../../core/contract/index.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';

const tone: Record<PushUrlState['state'], StatusTone> = { ok: 'ok', failing: 'warning', invalid: 'error' };

export function UrlStateBadge({ state }: { state: PushUrlState | undefined }) {
  const { t } = useTranslation();
  const name = state?.state ?? 'ok';
  return (
    <StatusBadge tone={tone[name]} data-testid="url-state" title={state?.lastError}>
      {t(`apps.push.states.${name}`)}
    </StatusBadge>
  );
}
