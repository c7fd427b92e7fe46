// Navigation between the workbench areas.
import { NavLink, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { workbenchAreas } from './areas.js';

function isActive(areaPath: string, pathname: string): boolean {
  return areaPath === '/' ? pathname === '/' : pathname === areaPath || pathname.startsWith(`${areaPath}/`);
}

export function Sidebar() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const visibleAreas = workbenchAreas.filter((area) => !area.hidden);
  return (
    <Stack component="nav" gap={2} aria-label={t('nav.label')}>
      {visibleAreas.map(({ path, labelKey, icon: AreaIcon }) => {
        const active = isActive(path, pathname);
        return (
          <NavLink
            key={path}
            component={Link}
            to={path}
            label={t(labelKey)}
            leftSection={<AreaIcon size={16} stroke={1.6} />}
            active={active}
            aria-current={active ? 'page' : undefined}
            variant="light"
            styles={{ root: { borderRadius: 'var(--mantine-radius-sm)' } }}
          />
        );
      })}
    </Stack>
  );
}
