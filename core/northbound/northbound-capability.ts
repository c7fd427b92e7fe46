// The northbound compatibility API (§1.1–1.6) on its own 127.0.0.1 listener: application servers written for the
// platform log in, register, edit, query and delete devices and read data history, unchanged. Each application
// sees its own devices; `?appId=` acts on another application's devices with its grant (R-1.3).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { AppIdentity, AppRegistry } from '../apps/index.js';
import type { Capability } from '../capability.js';
import { appRoutes, type GrantAccess, type NorthboundEndpoint } from '../contract/apps.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DataStore } from '../data/index.js';
import type { DeviceRegistry, DeviceStatusEngine } from '../devices/index.js';
import { northboundDevice, deviceStatusFrom } from './device-view.js';
import {
  appIdQuerySchema,
  deleteQuerySchema,
  deviceQuerySchema,
  historyQuerySchema,
  loginBodySchema,
  logoutBodySchema,
  modifyDeviceSchema,
  refreshBodySchema,
  secretRegistrationSchema,
  verifyCodeRegistrationSchema,
  type NorthboundDeviceInfo,
} from './northbound-bodies.js';
import {
  appNotAuthorized,
  appNotExisted,
  deviceNotFound,
  invalidInput,
  NorthboundError,
  toNorthboundError,
} from './northbound-errors.js';
import { formatNorthboundTime, parseNorthboundTime } from './northbound-time.js';
import { northboundTlsServer } from './northbound-tls.js';

export const NORTHBOUND_PORT_NAME = 'northbound';
const DEFAULT_VERIFY_TIMEOUT_S = 180;

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
  products: NorthboundProducts;
}

type Reply = { status: number; body?: unknown };

function parse<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [part, ...(issue?.path ?? []).map(String)].join('.');
  throw invalidInput(`${where}: ${issue?.message ?? 'invalid'}`);
}

function timeBound(value: string | undefined, name: string): number | undefined {
  const t = parseNorthboundTime(value);
  if (typeof t === 'object') throw invalidInput(`query.${name}: ${t.error}`);
  return t;
}

/** Drops absent fields, so a registration does not store `undefined` as device info. */
const definedOnly = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

export function createNorthboundCapability(deps: NorthboundDeps): Capability {
  let app: FastifyInstance | undefined;

  return {
    name: 'northbound',
    migrations: [],

    async start({ ports, logger, routes, config, dataDir }) {
      let endpoint: NorthboundEndpoint = { enabled: false, tls: false };
      routes.add(appRoutes.northboundEndpoint, () => endpoint);
      const listener = ports.tcp(NORTHBOUND_PORT_NAME);
      if (!listener) {
        logger.warn('no northbound port is bound: the northbound API is off');
        return;
      }
      const tls = config.northboundTls ? northboundTlsServer(config, dataDir, logger) : undefined;
      const serverLogger: FastifyBaseLogger = logger.child({ source: 'northbound-api' });
      const server = Fastify({
        loggerInstance: serverLogger,
        logController: new LogController({ disableRequestLogging: true }),
        bodyLimit: 1024 * 1024,
      });
      app = server;
      server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
        done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      server.setErrorHandler((error, request, reply) => {
        const mapped = toNorthboundError(error);
        if (mapped.status >= 500)
          request.log.error({ err: error }, `northbound ${request.method} ${request.url} failed`);
        return reply.status(mapped.status).send(mapped.toBody());
      });
      server.setNotFoundHandler((request, reply) =>
        reply.status(404).send({
          error_code: '404',
          error_desc: `Not Found: ${request.method} ${request.url.split('?')[0]} is not a northbound API of the workbench`,
        }),
      );

      const authenticate = (request: FastifyRequest): AppIdentity => {
        const appKey = request.headers['app_key'];
        return deps
          .apps()
          .authenticate(typeof appKey === 'string' ? appKey : undefined, bearer(request.headers.authorization));
      };
      /**
       * `?appId=` acts for another application (R-1.3): only with its direct grant (grants are not transitive), and
       * calls that change devices need `edit`. Without it the caller acts for itself.
       */
      const actingFor = (caller: AppIdentity, appId: string | undefined, need: GrantAccess): AppIdentity => {
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
      };
      const route = (
        method: 'GET' | 'POST' | 'PUT' | 'DELETE',
        url: string | string[],
        handler: (request: FastifyRequest, caller: AppIdentity | undefined) => Reply | Promise<Reply>,
        options: { public?: boolean } = {},
      ) => {
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
      };
      const authed = (caller: AppIdentity | undefined): AppIdentity => {
        if (!caller) throw new NorthboundError(401, '1010005', 'App_key or access_token is invalid.');
        return caller;
      };

      // §1.2 application authentication
      const tokens = (t: { accessToken: string; refreshToken: string; expiresIn: number }) => ({
        scope: 'default',
        tokenType: 'Bearer',
        expiresIn: t.expiresIn,
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
      });
      route(
        'POST',
        '/iocm/app/sec/v1.1.0/login',
        (request) => {
          const body = parse(loginBodySchema, request.body, 'body');
          return { status: 200, body: tokens(deps.apps().login(body.appId, body.secret ?? body.Secret ?? '')) };
        },
        { public: true },
      );
      route(
        'POST',
        '/iocm/app/sec/v1.1.0/refreshToken',
        (request) => {
          const body = parse(refreshBodySchema, request.body, 'body');
          return { status: 200, body: tokens(deps.apps().refresh(body.appId, body.secret, body.refreshToken)) };
        },
        { public: true },
      );
      route(
        'POST',
        '/iocm/app/sec/v1.1.0/logout',
        (request) => {
          deps.apps().logout(parse(logoutBodySchema, request.body, 'body').accessToken);
          return { status: 200 };
        },
        { public: true },
      );

      // §1.3 registration
      const productFor = (productId: string | undefined, info: NorthboundDeviceInfo | undefined, path: string) => {
        if (productId) return productId;
        if (info?.model) {
          const found = deps.products.findByIdentity({ ...info, model: info.model });
          if (!found)
            throw invalidInput(
              `${path}.deviceInfo: no product has manufacturerId ${info.manufacturerId ?? '*'} and model ${info.model}`,
            );
          return found.id;
        }
        throw invalidInput(`${path}: give productId, or deviceInfo with manufacturerId and model`);
      };
      route(
        'POST',
        ['/iocm/app/reg/v1.1.0/deviceCredentials', '/iocm/app/reg/v1.1.0/devices', '/iocm/app/reg/v1.2.0/devices'],
        (request, caller) => {
          const app = actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'edit');
          const body = parse(verifyCodeRegistrationSchema, request.body, 'body');
          const timeout = body.timeout ?? DEFAULT_VERIFY_TIMEOUT_S;
          const registered = deps.devices().register(
            {
              productId: productFor(body.productId, body.deviceInfo, 'body'),
              nodeId: body.nodeId,
              ...((body.deviceName ?? body.deviceInfo?.name) ? { name: body.deviceName ?? body.deviceInfo?.name } : {}),
              ...(body.psk ? { secret: body.psk } : {}),
              ...(body.verifyCode ? { verifyCode: body.verifyCode } : {}),
              timeout,
            },
            'body',
          );
          const deviceId = registered.device.deviceId;
          deps.apps().claimDevice(deviceId, app.appId);
          const extra = { endUser: body.endUserId, imsi: body.imsi, isSecure: body.isSecure };
          deps.apps().setDeviceInfo(deviceId, app.appId, definedOnly(extra));
          deps.status().scheduleExpiry();
          return {
            status: 200,
            body: {
              deviceId,
              verifyCode: registered.device.verifyCode ?? body.nodeId,
              timeout,
              psk: registered.secret,
            },
          };
        },
      );
      route('POST', '/iocm/app/reg/v2.0.0/deviceCredentials', (request, caller) => {
        const app = actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'edit');
        const body = parse(secretRegistrationSchema, request.body, 'body');
        const productId = productFor(body.productId, body.deviceInfo, 'body');
        const registered = deps.devices().register(
          {
            productId,
            nodeId: body.deviceInfo.nodeId,
            ...(body.deviceInfo.name ? { name: body.deviceInfo.name } : {}),
            ...(body.secret ? { secret: body.secret } : {}),
          },
          'body',
        );
        const device = registered.device;
        deps.apps().claimDevice(device.deviceId, app.appId);
        const extra = { endUser: body.endUserId, organization: body.organization, region: body.region };
        deps.apps().setDeviceInfo(device.deviceId, app.appId, definedOnly(extra));
        return {
          status: 200,
          body: {
            deviceId: device.deviceId,
            // The PSK of a CoAP/LwM2M device is its secret; MQTT devices have none.
            psk: device.protocolType === 'MQTT' ? null : registered.secret,
            secret: registered.secret,
          },
        };
      });
      route('GET', '/iocm/app/reg/v1.1.0/deviceCredentials/:deviceId', (request, caller) => {
        const app = actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'query');
        const device = requireDevice(request, app);
        return {
          status: 200,
          body: { deviceId: device.deviceId, activated: device.activated, name: device.name ?? null },
        };
      });

      /** The device, if the acting application holds it: another app's device is "not existed" for this one. */
      const ownedDevice = (deviceId: string, app: AppIdentity) => {
        const device = deps.devices().get(deviceId);
        if (!device) throw deviceNotFound(deviceId);
        if (deps.apps().ownerOfDevice(deviceId) !== app.appId) throw deviceNotFound(deviceId, app.appId);
        return device;
      };
      const requireDevice = (request: FastifyRequest, app: AppIdentity) =>
        ownedDevice((request.params as { deviceId?: string }).deviceId ?? '', app);
      const view = (deviceId: string) => {
        const device = deps.devices().get(deviceId);
        if (!device) throw deviceNotFound(deviceId);
        return northboundDevice(
          device,
          deps.products.get(device.productId)?.model,
          deps.data().latest(deviceId),
          deps.apps().deviceInfo(deviceId),
        );
      };

      // §1.4 modify, delete
      route('PUT', '/iocm/app/dm/v1.4.0/devices/:deviceId', (request, caller) => {
        const app = actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'edit');
        const device = requireDevice(request, app);
        const { name, productId, ...rest } = parse(modifyDeviceSchema, request.body, 'body');
        if (productId !== undefined && productId !== device.productId)
          throw invalidInput('body.productId: a device cannot move to another product; delete and register it again');
        if (name !== undefined) deps.devices().update(device.deviceId, { name });
        if (Object.keys(rest).length > 0) deps.apps().setDeviceInfo(device.deviceId, app.appId, rest);
        return { status: 204 };
      });
      route('DELETE', '/iocm/app/dm/v1.4.0/devices/:deviceId', (request, caller) => {
        const app = actingFor(authed(caller), parse(deleteQuerySchema, request.query, 'query').appId, 'edit');
        const device = requireDevice(request, app);
        deps.devices().delete(device.deviceId);
        return { status: 204 };
      });

      // §1.5 query one, query many
      route('GET', '/iocm/app/dm/v1.4.0/devices/:deviceId', (request, caller) => {
        const app = actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'query');
        return { status: 200, body: view(requireDevice(request, app).deviceId) };
      });
      route('GET', '/iocm/app/dm/v1.4.0/devices', (request, caller) => {
        const query = parse(deviceQuerySchema, request.query, 'query');
        const app = actingFor(authed(caller), query.appId, 'query');
        const empty = {
          status: 200,
          body: { totalCount: 0, pageNo: query.pageNo, pageSize: query.pageSize, devices: [] },
        };
        // Every device is directly connected: none is a gateway, none is a sub-device of another.
        if (query.nodeType === 'GATEWAY') return empty;
        const productIds = query.deviceType === undefined ? undefined : deps.products.idsOfDeviceType(query.deviceType);
        const page = deps.devices().page({
          ...(query.status ? { status: deviceStatusFrom(query.status) } : {}),
          ...(productIds ? { productIds } : {}),
          ...(query.name !== undefined ? { name: query.name } : {}),
          ...(query.gatewayId !== undefined ? { deviceId: query.gatewayId } : {}),
          ...deps.apps().deviceScope(app.appId),
          createdFrom: timeBound(query.startTime, 'startTime'),
          createdTo: timeBound(query.endTime, 'endTime'),
          ascending: query.sort === 'ASC',
          offset: query.pageNo * query.pageSize,
          limit: query.pageSize,
        });
        const devices = page.items
          .map((d) => view(d.deviceId))
          .filter((d) => query.location === undefined || d.deviceInfo.location === query.location);
        return {
          status: 200,
          body: { totalCount: page.total, pageNo: query.pageNo, pageSize: query.pageSize, devices },
        };
      });

      // §1.6 data history
      route(
        'GET',
        ['/iocm/app/data/v1.2.0/deviceDataHistory', '/iocm/app/data/v1.1.0/deviceDataHistory'],
        (request, caller) => {
          const query = parse(historyQuerySchema, request.query, 'query');
          const app = actingFor(authed(caller), query.appId, 'query');
          const device = ownedDevice(query.deviceId, app);
          if (query.gatewayId !== undefined && query.gatewayId !== device.deviceId)
            throw invalidInput(`query.gatewayId: ${query.gatewayId} is not the gateway of ${device.deviceId} (itself)`);
          const from = timeBound(query.startTime, 'startTime');
          const to = timeBound(query.endTime, 'endTime');
          const page = deps.data().reportHistory(device.deviceId, {
            ...(query.serviceId !== undefined ? { serviceId: query.serviceId } : {}),
            ...(query.property !== undefined ? { property: query.property } : {}),
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
            offset: query.pageNo * query.pageSize,
            limit: query.pageSize,
          });
          return {
            status: 200,
            body: {
              totalCount: page.total,
              pageNo: query.pageNo,
              pageSize: query.pageSize,
              deviceDataHistoryDTOs: page.items.map((r) => ({
                deviceId: device.deviceId,
                gatewayId: device.deviceId,
                appId: app.appId,
                serviceId: r.serviceId,
                data: r.data,
                timestamp: formatNorthboundTime(r.eventTime),
              })),
            },
          };
        },
      );

      await server.ready();
      const plain = (socket: Duplex) => server.server.emit('connection', socket);
      if (tls) {
        // What an https server does inside: TLS first, then the HTTP server sees the decrypted socket.
        tls.server.on('secureConnection', plain);
        listener.serve((socket) => tls.server.emit('connection', socket));
      } else listener.serve(plain);
      const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${listener.port}`;
      endpoint = {
        enabled: true,
        baseUrl,
        tls: tls !== undefined,
        ...(tls ? { certFile: tls.certFile, fingerprint256: tls.fingerprint256 } : {}),
        ...(tls?.clientCaFile ? { clientCaFile: tls.clientCaFile } : {}),
      };
      logger.info(
        `northbound API on ${baseUrl}${tls ? ` with the certificate ${tls.certFile} (SHA-256 ${tls.fingerprint256})${tls.clientCaFile ? `, client certificates from ${tls.clientCaFile} required` : ''}` : ''}`,
      );
    },

    async stop() {
      const server = app;
      app = undefined;
      await server?.close();
    },
  };
}
