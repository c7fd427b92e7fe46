// §1.5–1.6 device queries and data: one device, a page of devices, and a device's reported data history.
import { deviceStatusFrom, northboundDevice } from './device-view.js';
import { appIdQuerySchema, deviceQuerySchema, historyQuerySchema } from './northbound-bodies.js';
import { parse, timeBound, type NorthboundContext, windowAndPage } from './northbound-context.js';
import { deviceNotFound, invalidInput } from './northbound-errors.js';
import { formatNorthboundTime } from './northbound-time.js';

export function registerDeviceQueryRoutes({
  route,
  deps,
  authed,
  actingFor,
  ownedDevice,
  requireDevice,
}: NorthboundContext): void {
  const view = (deviceId: string) => {
    const device = deps.devices().get(deviceId);
    if (!device) throw deviceNotFound(deviceId);
    return northboundDevice(
      device,
      deps.products.get(device.productId)?.model,
      deps.data().latest(deviceId),
      deps.apps().deviceInfo(deviceId),
      deps.alarmInfo?.(deviceId) ?? null,
    );
  };

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
    if (query.nodeType === 'UNKNOW') return empty;
    const productIds = query.deviceType === undefined ? undefined : deps.products.idsOfDeviceType(query.deviceType);
    const page = deps.devices().page({
      ...(query.status ? { status: deviceStatusFrom(query.status) } : {}),
      ...(productIds ? { productIds } : {}),
      ...(query.name !== undefined ? { name: query.name } : {}),
      ...(query.gatewayId !== undefined ? { gatewayId: query.gatewayId } : {}),
      ...(query.nodeType !== undefined ? { nodeType: query.nodeType } : {}),
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
      // A sub-device's history is asked for through its gateway; a direct device is its own gateway (§1.6).
      const gatewayId = device.gatewayId ?? device.deviceId;
      if (query.gatewayId !== undefined && query.gatewayId !== gatewayId)
        throw invalidInput(
          `query.gatewayId: ${query.gatewayId} is not the gateway of ${device.deviceId} (${gatewayId})`,
        );
      const page = deps.data().reportHistory(device.deviceId, {
        ...(query.serviceId !== undefined ? { serviceId: query.serviceId } : {}),
        ...(query.property !== undefined ? { property: query.property } : {}),
        ...windowAndPage(query),
      });
      return {
        status: 200,
        body: {
          totalCount: page.total,
          pageNo: query.pageNo,
          pageSize: query.pageSize,
          deviceDataHistoryDTOs: page.items.map((r) => ({
            deviceId: device.deviceId,
            gatewayId,
            appId: app.appId,
            serviceId: r.serviceId,
            data: r.data,
            timestamp: formatNorthboundTime(r.eventTime),
          })),
        },
      };
    },
  );
}
