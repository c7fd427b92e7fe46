// The Rules page: linkage rules and their firings, data forwarding with live target state, alarms.
import { Stack, Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../ui/PageHeader.js';
import { AlarmsPanel } from './AlarmsPanel.js';
import { ForwardingPanel } from './ForwardingPanel.js';
import { LinkageRulesPanel } from './LinkageRulesPanel.js';
import { useRuleLiveRefresh } from './ruleQueries.js';

export function RulesPage() {
  const { t } = useTranslation();
  useRuleLiveRefresh();
  return (
    <Stack>
      <PageHeader title={t('rules.title')} description={t('rules.description')} />
      <Tabs defaultValue="linkage" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="linkage">{t('rules.tabs.linkage')}</Tabs.Tab>
          <Tabs.Tab value="forwarding">{t('rules.tabs.forwarding')}</Tabs.Tab>
          <Tabs.Tab value="alarms">{t('rules.tabs.alarms')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="linkage">
          <LinkageRulesPanel />
        </Tabs.Panel>
        <Tabs.Panel value="forwarding">
          <ForwardingPanel />
        </Tabs.Panel>
        <Tabs.Panel value="alarms">
          <AlarmsPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
