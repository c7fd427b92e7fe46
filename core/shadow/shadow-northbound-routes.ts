// §1.9 device shadow v1.5.0: query (the device object with `services[{serviceId, serviceType, reportedProps,
// desiredProps, eventTime}]`), modify desired (`{serviceDesireds:[{serviceId, desired}]}` → 200, no body), and the
// desired history (§1.6). Each application sees the shadows of the devices it holds.
import { z } from 'zod';
import {
  formatNorthboundTime,
  northboundDevice,
  parseNorthbound,
  timeBound,
  type NorthboundContext,
} from '../northbound/index.js';
import type { ShadowService } from './shadow-service.js';

const str = (max: number) => z.string().max(max);
const appIdQuery = z.object({ appId: str(64).optional() });
const modifyBody = z.object({
  serviceDesireds: z
    .array(z.object({ serviceId: str(64).min(1), desired: z.record(z.string().min(1).max(64), z.unknown()) }))
    .min(1)
    .max(64),
});
const historyQuery = z.object({
  appId: str(64).optional(),
  deviceId: str(160).min(1),
  gatewayId: str(160).min(1),
  serviceId: str(64).optional(),
  property: str(64).optional(),
  pageNo: z.coerce.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.coerce.number().int().min(1).max(2000).default(20),
  startTime: str(32).optional(),
  endTime: str(32).optional(),
});

export function registerShadowNorthboundRoutes(shadow: () => ShadowService, context: NorthboundContext): void {
  const { route, authed, actingFor, requireDevice, ownedDevice, deps } = context;

  route('GET', '/iocm/app/shadow/v1.5.0/devices/:deviceId', (request, caller) => {
    const app = actingFor(authed(caller), parseNorthbound(appIdQuery, request.query, 'query').appId, 'query');
    const device = requireDevice(request, app);
    const view = shadow().view(device.deviceId);
    const base = northboundDevice(
      device,
      deps.products.get(device.productId)?.model,
      [],
      deps.apps().deviceInfo(device.deviceId),
    );
    const eventTime = (ms: number | undefined) => (ms === undefined ? null : formatNorthboundTime(ms));
    return {
      status: 200,
      body: {
        ...base,
        services: view.services.map((s) => ({
          serviceId: s.serviceId,
          serviceType: s.serviceType,
          reportedProps: s.reported,
          desiredProps: Object.fromEntries(Object.entries(s.desired).map(([k, d]) => [k, d.value])),
          eventTime: eventTime(Math.max(s.reportedAt ?? 0, s.desiredAt ?? 0) || undefined),
        })),
      },
    };
  });

  route('PUT', '/iocm/app/shadow/v1.5.0/devices/:deviceId', async (request, caller) => {
    const app = actingFor(authed(caller), parseNorthbound(appIdQuery, request.query, 'query').appId, 'edit');
    const device = requireDevice(request, app);
    const body = parseNorthbound(modifyBody, request.body, 'body');
    await shadow().setDesired(
      device.deviceId,
      { services: body.serviceDesireds.map((s) => ({ serviceId: s.serviceId, desired: s.desired })) },
      `northbound:${authed(caller).appId}`,
    );
    return { status: 200 };
  });

  route('GET', '/iocm/app/shadow/v1.5.0/deviceDesiredHistory', (request, caller) => {
    const query = parseNorthbound(historyQuery, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const device = ownedDevice(query.deviceId, app);
    const from = timeBound(query.startTime, 'startTime');
    const to = timeBound(query.endTime, 'endTime');
    const items = shadow()
      .history(device.deviceId, 500)
      .filter(
        (h) =>
          (query.serviceId === undefined || h.serviceId === query.serviceId) &&
          (query.property === undefined || h.property === query.property) &&
          (from === undefined || h.at >= from) &&
          (to === undefined || h.at <= to),
      );
    const page = items.slice(query.pageNo * query.pageSize, (query.pageNo + 1) * query.pageSize);
    return {
      status: 200,
      body: {
        totalCount: items.length,
        pageNo: query.pageNo,
        pageSize: query.pageSize,
        deviceDesiredHistory: page.map((h) => ({
          deviceId: device.deviceId,
          gatewayId: device.deviceId,
          appId: app.appId,
          serviceId: h.serviceId,
          desired: { [h.property]: h.newValue },
          timestamp: formatNorthboundTime(h.at),
        })),
      },
    };
  });
}
