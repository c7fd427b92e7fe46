// The applications capability: the apps table, the default application, its routes, and the history switch.
import type { Capability } from '../capability.js';
import { appRoutes } from '../contract/apps.js';
import { AppRegistry, appMigrations } from './app-registry.js';

export interface AppsCapability extends Capability {
  /** Available once started. */
  readonly registry: AppRegistry;
}

export interface AppsCapabilityOptions {
  /** Called once started, so the data store can ask whether a device's application keeps history. */
  onHistoryPolicy?: (storesHistory: (deviceId: string) => boolean) => void;
  /** Every registered device: the default application holds those no other application registered. */
  countAllDevices?: () => number;
}

export function createAppsCapability(options: AppsCapabilityOptions = {}): AppsCapability {
  let registry: AppRegistry | undefined;
  return {
    name: 'apps',
    migrations: appMigrations,
    get registry() {
      if (!registry) throw new Error('the apps capability has not started');
      return registry;
    },

    start({ db, clock, bus, routes, config, logger }) {
      const apps = new AppRegistry(db, clock, options.countAllDevices);
      registry = apps;
      const given = {
        ...(config.appId ? { appId: config.appId } : {}),
        ...(config.appSecret ? { secret: config.appSecret } : {}),
      };
      const { application, secret } = apps.ensureDefault(given);
      if (secret !== undefined)
        logger.info(
          `created the default application ${application.appId}; set its secret with --app-secret or reset it in Applications`,
        );
      options.onHistoryPolicy?.((deviceId) => apps.storesHistory(deviceId));
      bus.subscribe('device', (e) => {
        if (e.kind === 'deleted') apps.forgetDevice(e.deviceId);
      });

      routes.add(appRoutes.listApplications, () => ({ items: apps.list() }));
      routes.add(appRoutes.createApplication, ({ body }) => apps.create(body));
      routes.add(appRoutes.getApplication, ({ params }) => apps.require(params.appId));
      routes.add(appRoutes.updateApplication, ({ params, body }) => apps.update(params.appId, body));
      routes.add(appRoutes.resetApplicationSecret, ({ params, body }) => ({
        appId: params.appId,
        secret: apps.setSecret(params.appId, body.secret),
      }));
      routes.add(appRoutes.deleteApplication, ({ params }) => {
        apps.remove(params.appId);
        return { deleted: true as const };
      });
      routes.add(appRoutes.listApplicationGrants, ({ params }) => apps.grants(params.appId));
      routes.add(appRoutes.grantApplicationAccess, ({ params, body }) =>
        apps.grant(params.appId, params.granteeAppId, body.access),
      );
      routes.add(appRoutes.revokeApplicationGrant, ({ params }) => {
        apps.revoke(params.appId, params.granteeAppId);
        return { revoked: true as const };
      });
    },
  };
}
