// The packages area: the software package builder at /packages/build, the library at /packages/library.
import { Stack, Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../ui/PageHeader.js';
import { PackageBuilderPage } from './PackageBuilderPage.js';
import { PackageLibraryPage } from './PackageLibraryPage.js';

const tabs = ['build', 'library'] as const;

export function PackagesArea() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = tabs.find((tab) => pathname.startsWith(`/packages/${tab}`)) ?? 'build';
  return (
    <Stack gap="md">
      <PageHeader title={t('packages.title')} description={t('packages.description')} />
      {/* Panels stay mounted (Mantine's default), so a half-filled form survives a tab switch. */}
      <Tabs value={active} onChange={(value) => value && void navigate(`/packages/${value}`)}>
        <Tabs.List>
          {tabs.map((tab) => (
            <Tabs.Tab key={tab} value={tab}>
              {t(`packages.tabs.${tab}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="build" pt="md">
          <PackageBuilderPage />
        </Tabs.Panel>
        <Tabs.Panel value="library" pt="md">
          <PackageLibraryPage />
        </Tabs.Panel>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="build" replace />} />
        <Route path="*" element={null} />
      </Routes>
    </Stack>
  );
}
