// App confirm for one device that downloaded its package and waits before installing (SOTA with app confirm).
import { Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { OtaSubTask } from '../../../core/contract/index.js';
import { useUpgradeActions } from './upgradeQueries.js';

export function ConfirmUpgradeButton({ sub }: { sub: Pick<OtaSubTask, 'subTaskId'> }) {
  const { t } = useTranslation();
  const { confirm } = useUpgradeActions();
  return (
    <Button
      size="compact-xs"
      loading={confirm.isPending}
      onClick={(e) => {
        e.stopPropagation();
        confirm.mutate(sub.subTaskId);
      }}
      data-testid="upgrade-confirm"
    >
      {t('upgrades.confirm.one')}
    </Button>
  );
}
