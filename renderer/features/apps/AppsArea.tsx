// The applications area: the list at /apps and one application's page at /apps/:appId.
import { Route, Routes } from 'react-router';
import { AppPage } from './AppPage.js';
import { AppsListPage } from './AppsListPage.js';

export function AppsArea() {
  return (
    <Routes>
      <Route index element={<AppsListPage />} />
      <Route path=":appId" element={<AppPage />} />
    </Routes>
  );
}
