// The frame around every area: top bar, sidebar, the routed page and the log drawer.
import { AppShell } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { Outlet } from 'react-router';
import { useRuleNotifications } from '../features/rules/useRuleNotifications.js';
import { LogDrawer } from './LogDrawer.js';
import { useLogLines } from './logLines.js';
import { Sidebar } from './Sidebar.js';
import { TopBar } from './TopBar.js';

export function WorkbenchShell() {
  const [navbarOpened, navbar] = useDisclosure(false);
  const [logsOpened, logs] = useDisclosure(false);
  const [logsWanted, setLogsWanted] = useState(false);
  const logLines = useLogLines(logsWanted);
  useRuleNotifications();

  const openLogs = () => {
    setLogsWanted(true);
    logs.open();
  };

  return (
    <AppShell
      header={{ height: 48 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <TopBar navbarOpened={navbarOpened} onToggleNavbar={navbar.toggle} onOpenLogs={openLogs} />
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Sidebar />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <LogDrawer opened={logsOpened} onClose={logs.close} {...logLines} />
    </AppShell>
  );
}
