// Routes built from the area list. Served by the core over http, paths are real (`/settings`);
// loaded from a file (packaged Electron), they live in the hash instead.
import { createBrowserRouter, createHashRouter, type RouteObject } from 'react-router';
import { workbenchAreas } from './areas.js';
import { NotFoundPage } from './NotFoundPage.js';
import { WorkbenchShell } from './WorkbenchShell.js';

export function workbenchRoutes(): RouteObject[] {
  return [
    {
      path: '/',
      element: <WorkbenchShell />,
      children: [
        ...workbenchAreas.map(({ path, Page }): RouteObject =>
          // `/*`: an area may have pages of its own below its path (`/products/:id/services`).
          path === '/'
            ? { index: true, element: <Page /> }
            : { path: `${path.replace(/^\//, '')}/*`, element: <Page /> },
        ),
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ];
}

export function createWorkbenchRouter(protocol: string = window.location.protocol) {
  return protocol === 'file:' ? createHashRouter(workbenchRoutes()) : createBrowserRouter(workbenchRoutes());
}
