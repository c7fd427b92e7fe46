// §1.12 device groups: create, modify, delete, list, get, members, add and remove members.
import type { DeviceGroup } from '../contract/groups.js';
import {
  accessAppQuerySchema,
  createGroupSchema,
  groupListQuerySchema,
  groupMembersBodySchema,
  groupMembersQuerySchema,
  modifyGroupSchema,
} from './northbound-bodies.js';
import { parse, type NorthboundContext } from './northbound-context.js';

const GROUPS = '/iocm/app/devgroup/v1.3.0/devGroups';

const groupBody = (g: DeviceGroup) => ({
  name: g.name,
  description: g.description ?? null,
  id: g.id,
  appId: g.appId,
  maxDevNum: g.maxDevNum,
  curDevNum: g.curDevNum,
  creator: g.creator,
});

export function registerGroupRoutes({ route, deps, authed, actingFor }: NorthboundContext): void {
  const groups = () => deps.groups();
  const params = (request: { params: unknown }) => request.params as { devGroupId: string };

  route('POST', GROUPS, (request, caller) => {
    const body = parse(createGroupSchema, request.body, 'body');
    const app = actingFor(authed(caller), body.appId, 'edit');
    const created = groups().create(
      app.appId,
      {
        name: body.name,
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.maxDevNum !== undefined ? { maxDevNum: body.maxDevNum } : {}),
        ...(body.deviceIds?.length ? { deviceIds: body.deviceIds } : {}),
      },
      authed(caller).appId,
    );
    return { status: 200, body: groupBody(created) };
  });

  route('PUT', `${GROUPS}/:devGroupId`, (request, caller) => {
    const app = actingFor(authed(caller), parse(accessAppQuerySchema, request.query, 'query').accessAppId, 'edit');
    const body = parse(modifyGroupSchema, request.body, 'body');
    const updated = groups().update(
      params(request).devGroupId,
      {
        ...(body.name ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.maxDevNum !== undefined ? { maxDevNum: body.maxDevNum } : {}),
      },
      app.appId,
    );
    return { status: 200, body: groupBody(updated) };
  });

  route('DELETE', `${GROUPS}/:devGroupId`, (request, caller) => {
    const app = actingFor(authed(caller), parse(accessAppQuerySchema, request.query, 'query').accessAppId, 'edit');
    // The platform's groups are flat: deleting one leaves its workbench children as roots.
    groups().delete(params(request).devGroupId, 'current', app.appId);
    return { status: 204 };
  });

  route('GET', GROUPS, (request, caller) => {
    const query = parse(groupListQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.accessAppId, 'query');
    const all = groups().list(app.appId, query.name);
    const page = all.slice(query.pageNo * query.pageSize, (query.pageNo + 1) * query.pageSize);
    return {
      status: 200,
      body: { totalCount: all.length, pageNo: query.pageNo, pageSize: query.pageSize, list: page.map(groupBody) },
    };
  });

  route('GET', `${GROUPS}/:devGroupId`, (request, caller) => {
    const app = actingFor(authed(caller), parse(accessAppQuerySchema, request.query, 'query').accessAppId, 'query');
    return { status: 200, body: groupBody(groups().get(params(request).devGroupId, app.appId)) };
  });

  route('GET', '/iocm/app/dm/v1.2.0/devices/ids', (request, caller) => {
    const query = parse(groupMembersQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.accessAppId, 'query');
    const page = groups().members(
      query.devGroupId,
      { descendants: false, offset: query.pageNo * query.pageSize, limit: query.pageSize },
      app.appId,
    );
    return {
      status: 200,
      body: { totalCount: page.total, pageNo: query.pageNo, pageSize: query.pageSize, deviceIds: page.deviceIds },
    };
  });

  route('POST', '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices', (request, caller) => {
    const app = actingFor(authed(caller), parse(accessAppQuerySchema, request.query, 'query').accessAppId, 'edit');
    const body = parse(groupMembersBodySchema, request.body, 'body');
    groups().bind(body.devGroupId, body.deviceIds, app.appId);
    return { status: 200, body: { devGroupId: body.devGroupId, deviceIds: body.deviceIds } };
  });

  route('POST', '/iocm/app/dm/v1.1.0/devices/deleteDevGroupTagFromDevices', (request, caller) => {
    const app = actingFor(authed(caller), parse(accessAppQuerySchema, request.query, 'query').accessAppId, 'edit');
    const body = parse(groupMembersBodySchema, request.body, 'body');
    groups().unbind(body.devGroupId, body.deviceIds, app.appId);
    return { status: 204 };
  });
}
