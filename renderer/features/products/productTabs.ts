// The tabs of a product's page, in order. Another area adds its tab with one entry here: with a Panel shown
// inside the product page, or without one when /products/:id/<value> is that area's own page.
import type { ComponentType } from 'react';
import type { Product } from '../../../core/contract/index.js';
import { MaintenanceTab } from './MaintenanceTab.js';
import { OverviewTab } from './OverviewTab.js';
import { RawModelTab } from './RawModelTab.js';
import { ServicesTab } from './ServicesTab.js';
import { TopicsTab } from './TopicsTab.js';

export interface ProductTabProps {
  product: Product;
}

export interface ProductTab {
  /** The last path segment: /products/:id/<value>. */
  value: string;
  /** i18n key of the tab label. */
  labelKey: string;
  /** The tab's content; absent when the tab's path is a page of its own (an area such as the codec editor). */
  Panel?: ComponentType<ProductTabProps>;
}

export const productTabs: readonly ProductTab[] = [
  { value: 'overview', labelKey: 'products.tabs.overview', Panel: OverviewTab },
  { value: 'services', labelKey: 'products.tabs.services', Panel: ServicesTab },
  { value: 'raw', labelKey: 'products.tabs.raw', Panel: RawModelTab },
  { value: 'maintenance', labelKey: 'products.tabs.maintenance', Panel: MaintenanceTab },
  { value: 'topics', labelKey: 'products.tabs.topics', Panel: TopicsTab },
  { value: 'codec', labelKey: 'products.tabs.codec' },
];
