// The workbench areas: one entry here adds a page, its route and its sidebar link.
import { IconLayoutDashboard, IconSettings, type Icon } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { OverviewPage } from '../features/overview/OverviewPage.js';
import { SettingsPage } from '../features/settings/SettingsPage.js';

export interface WorkbenchArea {
  /** Route path under the app root; '/' is the start page. */
  path: string;
  /** i18n key of the sidebar label. */
  labelKey: string;
  icon: Icon;
  Page: ComponentType;
}

export const workbenchAreas: readonly WorkbenchArea[] = [
  { path: '/', labelKey: 'nav.overview', icon: IconLayoutDashboard, Page: OverviewPage },
  { path: '/settings', labelKey: 'nav.settings', icon: IconSettings, Page: SettingsPage },
];
