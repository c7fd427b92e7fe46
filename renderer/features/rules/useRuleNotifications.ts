// A linkage rule with a notification action fired: show its message wherever the user is.
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { apiRoutes } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export function useRuleNotifications(): void {
  const { t } = useTranslation();
  const { callApi } = useApi();
  useBusEvents('rule', (events) => {
    for (const event of events) {
      if (event.kind !== 'firing' || !event.notify || !event.ruleId) continue;
      const title = t('rules.notify.title', { name: event.ruleName ?? event.ruleId });
      // The event names the firing; the notification's text is in the firing's action results.
      void callApi(apiRoutes.listRuleFirings, { query: { ruleId: event.ruleId, limit: 5 } })
        .then(({ firings }) => {
          const firing = firings.find((f) => f.firingId === event.firingId) ?? firings[0];
          const content = firing?.actionsResults.find((a) => a.type === 'NOTIFY')?.info.content;
          if (typeof content === 'string' && content) return content;
          return event.deviceId ? t('rules.notify.firedOn', { deviceId: event.deviceId }) : t('rules.notify.fired');
        })
        .catch(() => t('rules.notify.fired'))
        .then((message) =>
          notifications.show({
            id: `rule-${event.firingId ?? event.ruleId}`,
            title,
            message,
            color: 'orange',
            autoClose: 10_000,
            withBorder: true,
          }),
        );
    }
  });
}
