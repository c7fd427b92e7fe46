// The Node-free contract the renderer may import: route and event schemas, no runtime Node code.
export * from './define.js';
export * from './platform.js';
export * from './events.js';
export * from './product-model.js';
import { platformRoutes } from './platform.js';

/** Every route of the workbench API; capabilities add theirs here. */
export const apiRoutes = {
  ...platformRoutes,
} as const;
