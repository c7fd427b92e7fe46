// The signing area: key pairs at /signing/keys, sign and verify at /signing/sign.
import { Stack, Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../ui/PageHeader.js';
import { KeysPage } from './KeysPage.js';
import { SignVerifyPage } from './SignVerifyPage.js';

const tabs = ['keys', 'sign'] as const;

export function SigningArea() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = tabs.find((tab) => pathname.startsWith(`/signing/${tab}`)) ?? 'keys';
  return (
    <Stack gap="md">
      <PageHeader title={t('signing.title')} description={t('signing.description')} />
      {/* Panels stay mounted (Mantine's default), so a half-filled form survives a tab switch. */}
      <Tabs value={active} onChange={(value) => value && void navigate(`/signing/${value}`)}>
        <Tabs.List>
          {tabs.map((tab) => (
            <Tabs.Tab key={tab} value={tab}>
              {t(`signing.tabs.${tab}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="keys" pt="md">
          <KeysPage />
        </Tabs.Panel>
        <Tabs.Panel value="sign" pt="md">
          <SignVerifyPage />
        </Tabs.Panel>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="keys" replace />} />
        <Route path="*" element={null} />
      </Routes>
    </Stack>
  );
}
