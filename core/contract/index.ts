// The Node-free contract the renderer may import: route and event schemas, no runtime Node code.
export * from './define.js';
export * from './platform.js';
export * from './events.js';
export * from './product-model.js';
export * from './codecs.js';
export * from './traffic.js';
export * from './products.js';
export * from './signing.js';
export * from './packages.js';
export * from './devices.js';
export * from './apps.js';
export * from './simulator.js';
export * from './serial.js';
export * from './lwm2m.js';
export * from './simulator-lwm2m.js';
export * from './diagnosis.js';
export * from './commands.js';
export * from './groups.js';
export * from './push.js';
export * from './flashing.js';
export * from './shadow.js';
export * from './device-config.js';
export * from './ota.js';
export * from './operations.js';
export * from './gateways.js';
export * from './rules.js';
import { platformRoutes } from './platform.js';
import { codecRoutes } from './codecs.js';
import { trafficRoutes } from './traffic.js';
import { productRoutes } from './products.js';
import { signingRoutes } from './signing.js';
import { packageRoutes } from './packages.js';
import { deviceRoutes } from './devices.js';
import { appRoutes } from './apps.js';
import { simulatorRoutes } from './simulator.js';
import { serialRoutes } from './serial.js';
import { lwm2mRoutes } from './lwm2m.js';
import { simulatorLwm2mRoutes } from './simulator-lwm2m.js';
import { diagnosisRoutes } from './diagnosis.js';
import { commandRoutes } from './commands.js';
import { groupRoutes, tagRoutes } from './groups.js';
import { pushRoutes } from './push.js';
import { flashRoutes } from './flashing.js';
import { shadowRoutes } from './shadow.js';
import { deviceConfigRoutes } from './device-config.js';
import { otaRoutes } from './ota.js';
import { operationRoutes } from './operations.js';
import { gatewayRoutes } from './gateways.js';
import { ruleRoutes } from './rules.js';

/** Every route of the workbench API; capabilities add theirs here. */
export const apiRoutes = {
  ...platformRoutes,
  ...codecRoutes,
  ...trafficRoutes,
  ...productRoutes,
  ...signingRoutes,
  ...packageRoutes,
  ...deviceRoutes,
  ...appRoutes,
  ...simulatorRoutes,
  ...serialRoutes,
  ...lwm2mRoutes,
  ...simulatorLwm2mRoutes,
  ...diagnosisRoutes,
  ...commandRoutes,
  ...groupRoutes,
  ...tagRoutes,
  ...pushRoutes,
  ...flashRoutes,
  ...shadowRoutes,
  ...deviceConfigRoutes,
  ...otaRoutes,
  ...operationRoutes,
  ...gatewayRoutes,
  ...ruleRoutes,
} as const;
