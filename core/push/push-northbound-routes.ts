// §1.10 subscriptions on the northbound API: v1.2.0 subscriptions (create 201, get, list with paging, delete one,
// delete many), the deprecated v1.1.0 subscribe, and management subscriptions (`callbackurl` or `callbackUrl`).
import { z } from 'zod';
import { businessNotifyTypeSchema, managementNotifyTypeSchema, type Subscription } from '../contract/push.js';
import { invalidInput, parseNorthbound as parse, type NorthboundContext } from '../northbound/index.js';
import type { PushSubscriptions } from './push-subscriptions.js';

const str = (max: number) => z.string().max(max);
const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

const createQuery = z.object({ ownerFlag: flag.optional(), appId: str(64).optional() });
const createBody = z.object({
  notifyType: businessNotifyTypeSchema,
  callbackUrl: str(1024).min(1),
  appId: str(64).optional(),
  channel: z.enum(['HTTP', 'MQTT']).optional(),
});
const appIdQuery = z.object({ appId: str(64).optional() });
const listQuery = z.object({
  appId: str(64).optional(),
  notifyType: businessNotifyTypeSchema.optional(),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 1000).default(25),
});
const deleteManyQuery = z.object({
  appId: str(64).optional(),
  notifyType: businessNotifyTypeSchema.optional(),
  callbackUrl: str(1024).optional(),
  channel: z.enum(['HTTP', 'MQTT']).optional(),
});
/** The Huawei Java SDK sends `callbackurl`, the .NET one `callbackUrl`: both are accepted. */
const legacyBody = <T extends z.ZodType>(notifyType: T) =>
  z
    .object({ notifyType, callbackurl: str(1024).optional(), callbackUrl: str(1024).optional() })
    .refine((b) => (b.callbackurl ?? b.callbackUrl) !== undefined, {
      message: 'callbackurl is required',
      path: ['callbackurl'],
    });

const subscriptionBody = (s: Subscription) => ({
  subscriptionId: s.subscriptionId,
  notifyType: s.notifyType,
  callbackUrl: s.callbackUrl,
});

export function registerPushNorthboundRoutes(
  subscriptions: PushSubscriptions,
  { route, authed, actingFor }: NorthboundContext,
) {
  route('POST', '/iocm/app/sub/v1.2.0/subscriptions', (request, caller) => {
    const query = parse(createQuery, request.query, 'query');
    const body = parse(createBody, request.body, 'body');
    if (body.channel === 'MQTT')
      throw invalidInput('body.channel: only HTTP callbacks are pushed by the workbench (channel MQTT is not offered)');
    const me = authed(caller);
    const app = actingFor(me, body.appId ?? query.appId, 'query');
    const created = subscriptions.create({
      appId: app.appId,
      ownerAppId: query.ownerFlag === true ? me.appId : app.appId,
      notifyType: body.notifyType,
      callbackUrl: body.callbackUrl,
    });
    return { status: 201, body: subscriptionBody(created) };
  });
  route('GET', '/iocm/app/sub/v1.2.0/subscriptions/:subscriptionId', (request, caller) => {
    const app = actingFor(authed(caller), parse(appIdQuery, request.query, 'query').appId, 'query');
    const id = (request.params as { subscriptionId: string }).subscriptionId;
    return { status: 200, body: subscriptionBody(subscriptions.get(id, app.appId)) };
  });
  route('GET', '/iocm/app/sub/v1.2.0/subscriptions', (request, caller) => {
    const query = parse(listQuery, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const all = subscriptions.list({
      appId: app.appId,
      ...(query.notifyType !== undefined ? { notifyType: query.notifyType } : {}),
    });
    const page = all.slice(query.pageNo * query.pageSize, (query.pageNo + 1) * query.pageSize);
    return {
      status: 200,
      body: {
        totalCount: all.length,
        pageNo: query.pageNo,
        pageSize: query.pageSize,
        subscriptions: page.map(subscriptionBody),
      },
    };
  });
  route('DELETE', '/iocm/app/sub/v1.2.0/subscriptions/:subscriptionId', (request, caller) => {
    const app = actingFor(authed(caller), parse(appIdQuery, request.query, 'query').appId, 'query');
    subscriptions.delete((request.params as { subscriptionId: string }).subscriptionId, app.appId);
    return { status: 204 };
  });
  route('DELETE', '/iocm/app/sub/v1.2.0/subscriptions', (request, caller) => {
    const query = parse(deleteManyQuery, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    if (query.channel === 'MQTT') return { status: 204 };
    subscriptions.deleteMany({
      appId: app.appId,
      ...(query.notifyType !== undefined ? { notifyType: query.notifyType } : {}),
      ...(query.callbackUrl !== undefined ? { callbackUrl: query.callbackUrl } : {}),
    });
    return { status: 204 };
  });

  route('POST', '/iocm/app/sub/v1.1.0/subscribe', (request, caller) => {
    const body = parse(legacyBody(businessNotifyTypeSchema), request.body, 'body');
    const app = authed(caller);
    const callbackUrl = body.callbackurl ?? body.callbackUrl ?? '';
    subscriptions.create({ appId: app.appId, ownerAppId: app.appId, notifyType: body.notifyType, callbackUrl });
    return { status: 201 };
  });
  route('POST', '/iodm/app/sub/v1.1.0/subscribe', (request, caller) => {
    const body = parse(legacyBody(managementNotifyTypeSchema), request.body, 'body');
    const app = authed(caller);
    const callbackUrl = body.callbackurl ?? body.callbackUrl ?? '';
    subscriptions.create({ appId: app.appId, ownerAppId: app.appId, notifyType: body.notifyType, callbackUrl });
    return { status: 200 };
  });
}
