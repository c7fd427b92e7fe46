// §1.3–1.4 device registration and management: register (verify-code and secret modes), activation, modify, delete.
import {
  appIdQuerySchema,
  deleteQuerySchema,
  modifyDeviceSchema,
  secretRegistrationSchema,
  verifyCodeRegistrationSchema,
  type NorthboundDeviceInfo,
} from './northbound-bodies.js';
import { parse, type NorthboundContext } from './northbound-context.js';
import { invalidInput } from './northbound-errors.js';

const DEFAULT_VERIFY_TIMEOUT_S = 180;

/** Drops absent fields, so a registration does not store `undefined` as device info. */
const definedOnly = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

export function registerDeviceManagementRoutes({
  route,
  deps,
  authed,
  actingFor,
  requireDevice,
}: NorthboundContext): void {
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
    const query = parse(deleteQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'edit');
    const device = requireDevice(request, app);
    deps.devices().delete(device.deviceId, { cascade: query.cascade !== 'false' });
    return { status: 204 };
  });
}
