// The devices area: the list at /devices and one device's page at /devices/:deviceId.
import { Route, Routes } from 'react-router';
import { DevicePage } from './DevicePage.js';
import { DevicesListPage } from './DevicesListPage.js';

export function DevicesArea() {
  return (
    <Routes>
      <Route index element={<DevicesListPage />} />
      <Route path=":deviceId" element={<DevicePage />} />
    </Routes>
  );
}
