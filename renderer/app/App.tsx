// Root component: theme, notifications, the core connection, then the routed workbench.
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { ApiProvider } from '../api/ApiProvider.js';
import { ConnectionGate } from './ConnectionGate.js';
import { createWorkbenchRouter } from './router.js';
import { colorSchemeManager, workbenchTheme } from './theme.js';

function WorkbenchRouter() {
  // Created after the connection is resolved, so the router never sees the token fragment.
  const [router] = useState(() => createWorkbenchRouter());
  return <RouterProvider router={router} />;
}

export function App() {
  return (
    <MantineProvider theme={workbenchTheme} colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
      <Notifications position="top-right" limit={4} />
      <ConnectionGate>
        {(connection) => (
          <ApiProvider connection={connection}>
            <WorkbenchRouter />
          </ApiProvider>
        )}
      </ConnectionGate>
    </MantineProvider>
  );
}
