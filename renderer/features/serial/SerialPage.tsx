// The serial workbench: ports (with plug/unplug updates and virtual modules) and one tab per open session.
import { Grid, Stack, Tabs, Text } from '@mantine/core';
import { IconBolt, IconPlugConnected, IconTerminal2 } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { FlashPanel } from './FlashPanel.js';
import { OpenPortModal } from './OpenPortModal.js';
import { PortList } from './PortList.js';
import { SessionView } from './SessionView.js';
import { useSerialListRefresh, useSerialSessions } from './serialQueries.js';

export function SerialPage() {
  const { t } = useTranslation();
  useSerialListRefresh();
  const sessions = useSerialSessions();
  const [openPath, setOpenPath] = useState<string | undefined>();
  const [chosen, setActive] = useState<string | null>(null);
  const [view, setView] = useState('terminals');
  const list = sessions.data?.sessions ?? [];
  // The chosen tab, or the newest session when the chosen one has closed.
  const active = list.some((s) => s.id === chosen) ? chosen : (list[list.length - 1]?.id ?? null);

  return (
    <Stack gap="md">
      <PageHeader title={t('serial.title')} description={t('serial.description')} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 3 }}>
          <PortList onOpen={setOpenPath} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 9 }}>
          <Tabs value={view} onChange={(v) => setView(v ?? 'terminals')} variant="outline">
            <Tabs.List mb="sm">
              <Tabs.Tab value="terminals" leftSection={<IconTerminal2 size={14} />}>
                {t('serial.flash.terminalsTab')}
              </Tabs.Tab>
              <Tabs.Tab value="flash" leftSection={<IconBolt size={14} />}>
                {t('serial.flash.tab')}
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="terminals">
              {sessions.isPending ? (
                <LoadingState />
              ) : sessions.isError ? (
                <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
              ) : list.length === 0 ? (
                <EmptyState title={t('serial.sessions.emptyTitle')}>{t('serial.sessions.emptyHint')}</EmptyState>
              ) : (
                <Tabs value={active} onChange={setActive} keepMounted={false}>
                  <Tabs.List>
                    {list.map((s) => (
                      <Tabs.Tab key={s.id} value={s.id} leftSection={<IconPlugConnected size={14} />}>
                        <Text size="sm" ff="monospace">
                          {s.settings.path.split('/').pop()}
                        </Text>
                      </Tabs.Tab>
                    ))}
                  </Tabs.List>
                  {list.map((s) => (
                    <Tabs.Panel key={s.id} value={s.id} pt="sm">
                      <SessionView session={s} />
                    </Tabs.Panel>
                  ))}
                </Tabs>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="flash">
              <FlashPanel />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
      </Grid>
      <OpenPortModal
        path={openPath}
        onClose={() => setOpenPath(undefined)}
        onOpened={(id) => {
          setOpenPath(undefined);
          setActive(id);
          setView('terminals');
        }}
      />
    </Stack>
  );
}
