// The workbench areas: one entry here adds a page, its route and its sidebar link.
import {
  IconActivity,
  IconApps,
  IconBolt,
  IconBox,
  IconCode,
  IconDevices,
  IconLayoutDashboard,
  IconPackages,
  IconPlugConnected,
  IconSettings,
  IconSignature,
  IconSitemap,
  IconCloudUpload,
  type Icon,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { AppsArea } from '../features/apps/AppsArea.js';
import { CodecPage } from '../features/codecs/CodecPage.js';
import { DevicesArea } from '../features/devices/DevicesArea.js';
import { GroupsPage } from '../features/groups/GroupsPage.js';
import { OverviewPage } from '../features/overview/OverviewPage.js';
import { PackagesArea } from '../features/packages/PackagesArea.js';
import { ProductsArea } from '../features/products/ProductsArea.js';
import { RulesPage } from '../features/rules/RulesPage.js';
import { SerialPage } from '../features/serial/SerialPage.js';
import { SettingsPage } from '../features/settings/SettingsPage.js';
import { SigningArea } from '../features/signing/SigningArea.js';
import { TrafficPage } from '../features/traffic/TrafficPage.js';
import { UpgradesPage } from '../features/upgrades/UpgradesPage.js';

export interface WorkbenchArea {
  /** Route path under the app root; '/' is the start page. */
  path: string;
  /** i18n key of the sidebar label. */
  labelKey: string;
  icon: Icon;
  Page: ComponentType;
  /** A page reached from another page (e.g. a product's codec), with no sidebar link of its own. */
  hidden?: boolean;
}

export const workbenchAreas: readonly WorkbenchArea[] = [
  { path: '/', labelKey: 'nav.overview', icon: IconLayoutDashboard, Page: OverviewPage },
  { path: '/products', labelKey: 'products.nav', icon: IconBox, Page: ProductsArea },
  { path: '/devices', labelKey: 'devices.nav', icon: IconDevices, Page: DevicesArea },
  { path: '/groups', labelKey: 'groups.nav', icon: IconSitemap, Page: GroupsPage },
  { path: '/rules', labelKey: 'rules.nav', icon: IconBolt, Page: RulesPage },
  { path: '/apps', labelKey: 'apps.nav', icon: IconApps, Page: AppsArea },
  { path: '/traffic', labelKey: 'traffic.nav', icon: IconActivity, Page: TrafficPage },
  { path: '/signing', labelKey: 'signing.nav', icon: IconSignature, Page: SigningArea },
  { path: '/packages', labelKey: 'packages.nav', icon: IconPackages, Page: PackagesArea },
  { path: '/upgrades', labelKey: 'upgrades.nav', icon: IconCloudUpload, Page: UpgradesPage },
  { path: '/serial', labelKey: 'serial.nav', icon: IconPlugConnected, Page: SerialPage },
  { path: '/settings', labelKey: 'nav.settings', icon: IconSettings, Page: SettingsPage },
  { path: '/products/:productId/codec', labelKey: 'codecs.nav', icon: IconCode, Page: CodecPage, hidden: true },
];
