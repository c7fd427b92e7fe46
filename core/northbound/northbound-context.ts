// What each section of the northbound API gets: the services, a route registrar that authenticates the caller, and
// the checks the sections share (acting for another application, the devices an application holds, query input).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppIdentity, AppRegistry } from '../apps/index.js';
import type { CommandBatches, CommandService } from '../commands/index.js';
import type { GrantAccess } from '../contract/apps.js';
import type { Device } from '../contract/devices.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DataStore } from '../data/index.js';
import type { DeviceRegistry, DeviceStatusEngine } from '../devices/index.js';
import type { GroupService } from '../groups/index.js';
import type { NorthboundDeviceInfo } from './northbound-bodies.js';
import type { NorthboundRules } from './northbound-rule-routes.js';
import { appNotAuthorized, appNotExisted, deviceNotFound, invalidInput, NorthboundError } from './northbound-errors.js';
import { parseNorthboundTime } from './northbound-time.js';

export interface NorthboundProducts {
  get(productId: string): { id: string; model: ProductModel } | undefined;
  /** The product a registration names by manufacturerId/model/… instead of productId. */
  findByIdentity(identity: NorthboundDeviceInfo & { model: string }): { id: string } | undefined;
  /** Ids of the products of one deviceType (the batch query's filter). */
  idsOfDeviceType(deviceType: string): string[];
}

export interface NorthboundDeps {
  apps: () => AppRegistry;
  devices: () => DeviceRegistry;
  status: () => DeviceStatusEngine;
  data: () => DataStore;
  groups: () => GroupService;
  products: NorthboundProducts;
  commands: () => CommandService;
  commandBatches: () => CommandBatches;
  /** The device's most severe open alarm (the rule engine's), for the device view's `alarmInfo`. */
  alarmInfo?: (deviceId: string) => { alarmSeverity: string; alarmStatus: boolean; alarmTime: string } | null;
  /** The rule engine's linkage rules, for the §1.14 rule API. */
  rules?: () => NorthboundRules;
  /** Sections other capabilities add (subscriptions, commands), registered after the device sections. */
  sections?: ReadonlyArray<(context: NorthboundContext) => void>;
}

export interface NorthboundReply {
  status: number;
  body?: unknown;
}

/** `caller` is the authenticated application, or undefined on a public route (login, refresh, logout). */
export type NorthboundHandler = (
  request: FastifyRequest,
  caller: AppIdentity | undefined,
) => NorthboundReply | Promise<NorthboundReply>;

export interface NorthboundContext {
  deps: NorthboundDeps;
  /** Adds a route on each of `url`'s paths; it authenticates the caller unless it is public. */
  route: (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string | string[],
    handler: NorthboundHandler,
    options?: { public?: boolean },
  ) => void;
  /** The caller of an authenticated route. */
  authed: (caller: AppIdentity | undefined) => AppIdentity;
  /**
   * `?appId=` acts for another application: only with its direct grant (grants are not transitive), and
   * calls that change devices need `edit`. Without it the caller acts for itself.
   */
  actingFor: (caller: AppIdentity, appId: string | undefined, need: GrantAccess) => AppIdentity;
  /** The device, if the acting application holds it: another app's device is "not existed" for this one. */
  ownedDevice: (deviceId: string, app: AppIdentity) => Device;
  /** The held device the route's `:deviceId` names. */
  requireDevice: (request: FastifyRequest, app: AppIdentity) => Device;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [part, ...(issue?.path ?? []).map(String)].join('.');
  throw invalidInput(`${where}: ${issue?.message ?? 'invalid'}`);
}

export function timeBound(value: string | undefined, name: string): number | undefined {
  const t = parseNorthboundTime(value);
  if (typeof t === 'object') throw invalidInput(`query.${name}: ${t.error}`);
  return t;
}

/** A query's `startTime`/`endTime` window and `pageNo`/`pageSize` page, as a store's filter takes them. */
export function windowAndPage(query: { startTime?: string; endTime?: string; pageNo: number; pageSize: number }): {
  from?: number;
  to?: number;
  offset: number;
  limit: number;
} {
  const from = timeBound(query.startTime, 'startTime');
  const to = timeBound(query.endTime, 'endTime');
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    offset: query.pageNo * query.pageSize,
    limit: query.pageSize,
  };
}

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

export function createNorthboundContext(server: FastifyInstance, deps: NorthboundDeps): NorthboundContext {
  const authenticate = (request: FastifyRequest): AppIdentity => {
    const appKey = request.headers['app_key'];
    return deps
      .apps()
      .authenticate(typeof appKey === 'string' ? appKey : undefined, bearer(request.headers.authorization));
  };
  const ownedDevice = (deviceId: string, app: AppIdentity): Device => {
    const device = deps.devices().get(deviceId);
    if (!device) throw deviceNotFound(deviceId);
    if (deps.apps().ownerOfDevice(deviceId) !== app.appId) throw deviceNotFound(deviceId, app.appId);
    return device;
  };

  return {
    deps,
    route: (method, url, handler, options = {}) => {
      for (const path of Array.isArray(url) ? url : [url]) {
        server.route({
          method,
          url: path,
          handler: async (request, reply) => {
            const caller = options.public ? undefined : authenticate(request);
            const result = await handler(request, caller);
            void reply.status(result.status);
            if (result.body === undefined) return reply.send();
            return reply.type('application/json').send(JSON.stringify(result.body));
          },
        });
      }
    },
    authed: (caller) => {
      if (!caller) throw new NorthboundError(401, '1010005', 'App_key or access_token is invalid.');
      return caller;
    },
    actingFor: (caller, appId, need) => {
      if (appId === undefined || appId === '' || appId === caller.appId) return caller;
      const owner = deps.apps().identityOf(appId);
      if (!owner) throw appNotExisted(appId);
      const access = deps.apps().accessOf(owner.appId, caller.appId);
      if (access === undefined)
        throw appNotAuthorized(`${owner.appId} has given ${caller.appId} no rights on its devices`);
      if (need === 'edit' && access === 'query')
        throw appNotAuthorized(
          `${owner.appId} has given ${caller.appId} query rights only; registering, modifying and deleting need edit rights`,
        );
      return owner;
    },
    ownedDevice,
    requireDevice: (request, app) => ownedDevice((request.params as { deviceId?: string }).deviceId ?? '', app),
  };
}
