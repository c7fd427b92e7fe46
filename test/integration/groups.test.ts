// Groups and tags through the workbench API and the platform's northbound group API, on a real core and SQLite file:
// the tree and its edge cases, one group per device, device limits, grants vs groups, tag and group filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const APP_ID = 'grp_app_01';
const APP_SECRET = 'grp-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let productId: string;
let meters: string[];
let base: string;

async function refusal(promise: Promise<unknown>): Promise<ApiCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiCallError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function nbToken(appId: string, secret: string): Promise<string> {
  const response = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId, secret }).toString(),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function nb(appId: string, token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      app_key: appId,
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), appId: APP_ID, appSecret: APP_SECRET });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  productId = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
  meters = [];
  for (let i = 0; i < 8; i++) {
    const r = await call(apiRoutes.registerDevice, { body: { productId, nodeId: `grp-meter-${i}` } });
    meters.push(r.device.deviceId);
  }
});

afterAll(() => core.stop());

describe('the group tree', () => {
  it('starts with a default group that cannot be deleted', async () => {
    const tree = await call(apiRoutes.groupTree);
    expect(tree.appId).toBe(APP_ID);
    const defaults = tree.roots.filter((g) => g.isDefault);
    expect(defaults).toHaveLength(1);
    const refused = await refusal(
      call(apiRoutes.deleteGroup, { params: { groupId: defaults[0]!.id }, query: { mode: 'cascade' } }),
    );
    expect(refused).toMatchObject({ status: 409, code: 'GROUP_DEFAULT_PROTECTED' });
  });

  it('adds roots and children, refuses a second group of the same name, and a move under its own descendant', async () => {
    const site = await call(apiRoutes.createGroup, { body: { name: 'Site A' } });
    const floor = await call(apiRoutes.createGroup, { body: { name: 'Floor 1', parentId: site.id } });
    const room = await call(apiRoutes.createGroup, { body: { name: 'Room 101', parentId: floor.id } });
    expect(room.parentId).toBe(floor.id);
    expect(await refusal(call(apiRoutes.createGroup, { body: { name: 'Site A' } }))).toMatchObject({
      status: 409,
      code: 'GROUP_NAME_TAKEN',
    });
    const cycle = await refusal(
      call(apiRoutes.moveGroup, { params: { groupId: site.id }, body: { parentId: room.id } }),
    );
    expect(cycle).toMatchObject({ status: 400, code: 'GROUP_CYCLE', path: 'body.parentId' });
    expect(cycle.message).toContain('Room 101');
    expect(
      await refusal(call(apiRoutes.moveGroup, { params: { groupId: site.id }, body: { parentId: site.id } })),
    ).toMatchObject({ code: 'GROUP_CYCLE' });

    const tree = await call(apiRoutes.groupTree);
    const siteNode = tree.roots.find((g) => g.id === site.id)!;
    expect(siteNode.children.map((c) => c.name)).toEqual(['Floor 1']);
    expect(siteNode.children[0]!.children.map((c) => c.name)).toEqual(['Room 101']);
  });

  it('unbinds a child (it becomes a root) and moves it back under another parent', async () => {
    const parent = await call(apiRoutes.createGroup, { body: { name: 'Move parent' } });
    const child = await call(apiRoutes.createGroup, { body: { name: 'Move child', parentId: parent.id } });
    const unbound = await call(apiRoutes.moveGroup, { params: { groupId: child.id }, body: { parentId: null } });
    expect(unbound.parentId).toBeUndefined();
    const other = await call(apiRoutes.createGroup, { body: { name: 'Move other' } });
    const moved = await call(apiRoutes.moveGroup, { params: { groupId: child.id }, body: { parentId: other.id } });
    expect(moved.parentId).toBe(other.id);
  });

  it('deletes the current group only (children become roots) or the whole subtree, ungrouping their devices', async () => {
    const top = await call(apiRoutes.createGroup, { body: { name: 'Del top' } });
    const kid = await call(apiRoutes.createGroup, { body: { name: 'Del kid', parentId: top.id } });
    const grandkid = await call(apiRoutes.createGroup, { body: { name: 'Del grandkid', parentId: kid.id } });
    await call(apiRoutes.bindGroupDevices, { params: { groupId: top.id }, body: { deviceIds: [meters[7]!] } });
    const current = await call(apiRoutes.deleteGroup, { params: { groupId: top.id }, query: { mode: 'current' } });
    expect(current).toEqual({ deletedGroupIds: [top.id], ungroupedDevices: 1 });
    expect((await call(apiRoutes.getGroup, { params: { groupId: kid.id } })).parentId).toBeUndefined();
    expect((await call(apiRoutes.getDevice, { params: { id: meters[7]! } })).groupId).toBeUndefined();

    await call(apiRoutes.bindGroupDevices, { params: { groupId: grandkid.id }, body: { deviceIds: [meters[7]!] } });
    const cascade = await call(apiRoutes.deleteGroup, { params: { groupId: kid.id }, query: { mode: 'cascade' } });
    expect(cascade.deletedGroupIds.sort()).toEqual([kid.id, grandkid.id].sort());
    expect(cascade.ungroupedDevices).toBe(1);
    expect(await refusal(call(apiRoutes.getGroup, { params: { groupId: grandkid.id } }))).toMatchObject({
      status: 404,
      code: 'GROUP_NOT_FOUND',
    });
  });

  it('exports the tree as nested JSON and as CSV lines with each group path', async () => {
    const json = await core.api('/api/groups:export?format=json');
    expect(json.headers['get']('content-type')).toContain('application/json');
    const exported = (await json.json()) as { appId: string; groups: { name: string; children: unknown[] }[] };
    expect(exported.appId).toBe(APP_ID);
    expect(exported.groups.some((g) => g.name === 'Site A' && g.children.length === 1)).toBe(true);
    const csv = await (await core.api('/api/groups:export?format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('id,name,parentId,path,depth,curDevNum,maxDevNum,description,isDefault');
    expect(csv).toContain('Site A / Floor 1 / Room 101,2,');
  });
});

describe('devices in groups', () => {
  it('keeps a device in one group at most: binding it elsewhere moves it', async () => {
    const a = await call(apiRoutes.createGroup, { body: { name: 'One A' } });
    const b = await call(apiRoutes.createGroup, { body: { name: 'One B' } });
    await call(apiRoutes.bindGroupDevices, {
      params: { groupId: a.id },
      body: { deviceIds: [meters[0]!, meters[1]!] },
    });
    const moved = await call(apiRoutes.bindGroupDevices, {
      params: { groupId: b.id },
      body: { deviceIds: [meters[1]!] },
    });
    expect(moved.moved).toBe(1);
    expect((await call(apiRoutes.getGroup, { params: { groupId: a.id } })).curDevNum).toBe(1);
    expect((await call(apiRoutes.getDevice, { params: { id: meters[1]! } })).groupId).toBe(b.id);
    const unbound = await call(apiRoutes.unbindGroupDevices, {
      params: { groupId: a.id },
      body: { deviceIds: [meters[0]!, meters[1]!] },
    });
    expect(unbound.unbound).toBe(1);
  });

  it('enforces maxDevNum with a clear error and refuses lowering it below the devices held', async () => {
    const small = await call(apiRoutes.createGroup, { body: { name: 'Small', maxDevNum: 2 } });
    await call(apiRoutes.bindGroupDevices, {
      params: { groupId: small.id },
      body: { deviceIds: [meters[2]!, meters[3]!] },
    });
    const full = await refusal(
      call(apiRoutes.bindGroupDevices, { params: { groupId: small.id }, body: { deviceIds: [meters[4]!] } }),
    );
    expect(full).toMatchObject({ status: 409, code: 'GROUP_FULL' });
    expect(full.message).toContain('holds 2 of at most 2 devices');
    // Binding devices already in the group again does not count them twice.
    await call(apiRoutes.bindGroupDevices, { params: { groupId: small.id }, body: { deviceIds: [meters[2]!] } });
    expect(
      await refusal(call(apiRoutes.updateGroup, { params: { groupId: small.id }, body: { maxDevNum: 1 } })),
    ).toMatchObject({ code: 'GROUP_FULL', path: 'body.maxDevNum' });
  });

  it('refuses unknown device ids without binding any of the list', async () => {
    const g = await call(apiRoutes.createGroup, { body: { name: 'Unknowns' } });
    const refused = await refusal(
      call(apiRoutes.bindGroupDevices, { params: { groupId: g.id }, body: { deviceIds: [meters[5]!, 'nope_1'] } }),
    );
    expect(refused).toMatchObject({ status: 404, code: 'DEVICE_NOT_FOUND', path: 'body.deviceIds' });
    expect((await call(apiRoutes.getGroup, { params: { groupId: g.id } })).curDevNum).toBe(0);
  });

  it('lists a group with or without its descendants, combined with the other filters', async () => {
    const root = await call(apiRoutes.createGroup, { body: { name: 'Filter root' } });
    const leaf = await call(apiRoutes.createGroup, { body: { name: 'Filter leaf', parentId: root.id } });
    await call(apiRoutes.bindGroupDevices, { params: { groupId: root.id }, body: { deviceIds: [meters[5]!] } });
    await call(apiRoutes.bindGroupDevices, { params: { groupId: leaf.id }, body: { deviceIds: [meters[6]!] } });
    const withKids = await call(apiRoutes.listDevices, { query: { groupId: root.id } });
    expect(withKids.items.map((d) => d.deviceId).sort()).toEqual([meters[5]!, meters[6]!].sort());
    const only = await call(apiRoutes.listDevices, { query: { groupId: root.id, descendants: 'false' } });
    expect(only.items.map((d) => d.deviceId)).toEqual([meters[5]!]);
    const combined = await call(apiRoutes.listDevices, { query: { groupId: root.id, search: 'grp-meter-6' } });
    expect(combined.total).toBe(1);
    const members = await call(apiRoutes.groupDevices, {
      params: { groupId: root.id },
      query: { descendants: 'true' },
    });
    expect(members.total).toBe(2);
    expect(await refusal(call(apiRoutes.listDevices, { query: { groupId: 'missing' } }))).toMatchObject({
      status: 404,
      code: 'GROUP_NOT_FOUND',
      path: 'query.groupId',
    });
  });
});

describe('tags', () => {
  it('defines tags, attaches them in bulk, filters by tag, and detaches', async () => {
    const tag = await call(apiRoutes.createTag, { body: { key: 'site', value: 'north' } });
    expect(await refusal(call(apiRoutes.createTag, { body: { key: 'site', value: 'north' } }))).toMatchObject({
      status: 409,
      code: 'TAG_EXISTS',
    });
    const keyOnly = await call(apiRoutes.createTag, { body: { key: 'pilot' } });
    expect(keyOnly.value).toBeUndefined();
    const attached = await call(apiRoutes.attachTag, {
      params: { tagId: tag.id },
      body: { deviceIds: [meters[0]!, meters[2]!, meters[0]!] },
    });
    expect(attached.attached).toBe(2);
    const tagged = await call(apiRoutes.listDevices, { query: { tagId: tag.id } });
    expect(tagged.items.map((d) => d.deviceId).sort()).toEqual([meters[0]!, meters[2]!].sort());
    expect(tagged.items[0]!.tagIds).toEqual([tag.id]);
    const both = await call(apiRoutes.listDevices, { query: { tagId: tag.id, search: 'grp-meter-2' } });
    expect(both.total).toBe(1);
    const listed = (await call(apiRoutes.listTags)).tags.find((t) => t.id === tag.id);
    expect(listed?.deviceCount).toBe(2);
    expect(
      (await call(apiRoutes.detachTag, { params: { tagId: tag.id }, body: { deviceIds: [meters[0]!] } })).detached,
    ).toBe(1);
    expect((await call(apiRoutes.deleteTag, { params: { tagId: tag.id } })).detached).toBe(1);
    expect((await call(apiRoutes.getDevice, { params: { id: meters[2]! } })).tagIds).toEqual([]);
  });

  it('drops a deleted device from its tags', async () => {
    const tag = await call(apiRoutes.createTag, { body: { key: 'temp' } });
    const d = await call(apiRoutes.registerDevice, { body: { productId, nodeId: 'grp-temp-1' } });
    await call(apiRoutes.attachTag, { params: { tagId: tag.id }, body: { deviceIds: [d.device.deviceId] } });
    await call(apiRoutes.deleteDevice, { params: { id: d.device.deviceId } });
    expect((await call(apiRoutes.listTags)).tags.find((t) => t.id === tag.id)?.deviceCount).toBe(0);
  });
});

describe('batch targets', () => {
  it('resolves a group with descendants, a tag, a product and a list to the devices they name now', async () => {
    const root = await call(apiRoutes.createGroup, { body: { name: 'Target root' } });
    const child = await call(apiRoutes.createGroup, { body: { name: 'Target child', parentId: root.id } });
    await call(apiRoutes.bindGroupDevices, { params: { groupId: root.id }, body: { deviceIds: [meters[3]!] } });
    await call(apiRoutes.bindGroupDevices, { params: { groupId: child.id }, body: { deviceIds: [meters[4]!] } });
    const group = await call(apiRoutes.resolveBatchTarget, { body: { kind: 'group', groupId: root.id } });
    expect(group.deviceIds.sort()).toEqual([meters[3]!, meters[4]!].sort());
    const flat = await call(apiRoutes.resolveBatchTarget, {
      body: { kind: 'group', groupId: root.id, descendants: false },
    });
    expect(flat.deviceIds).toEqual([meters[3]!]);
    const product = await call(apiRoutes.resolveBatchTarget, { body: { kind: 'product', productId } });
    expect(product.total).toBe(8);
    const tag = await call(apiRoutes.createTag, { body: { key: 'batch' } });
    await call(apiRoutes.attachTag, { params: { tagId: tag.id }, body: { deviceIds: [meters[1]!] } });
    expect((await call(apiRoutes.resolveBatchTarget, { body: { kind: 'tag', tagId: tag.id } })).deviceIds).toEqual([
      meters[1]!,
    ]);
    expect(
      await refusal(call(apiRoutes.resolveBatchTarget, { body: { kind: 'devices', deviceIds: ['ghost_1'] } })),
    ).toMatchObject({ code: 'DEVICE_NOT_FOUND' });
  });
});

describe('the northbound group API (§1.12)', () => {
  it('creates, modifies, lists, gets and deletes groups with the platform bodies and error codes', async () => {
    const token = await nbToken(APP_ID, APP_SECRET);
    const created = await nb(APP_ID, token, '/iocm/app/devgroup/v1.3.0/devGroups', {
      method: 'POST',
      body: {
        name: 'NB group',
        description: 'from the app server',
        appId: null,
        maxDevNum: 3,
        deviceIds: [meters[5]!],
      },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      name: 'NB group',
      description: 'from the app server',
      appId: APP_ID,
      maxDevNum: 3,
      curDevNum: 1,
    });
    const id = created.json['id'] as string;
    const again = await nb(APP_ID, token, '/iocm/app/devgroup/v1.3.0/devGroups', {
      method: 'POST',
      body: { name: 'NB group' },
    });
    expect(again.json['error_code']).toBe('100602');

    const modified = await nb(APP_ID, token, `/iocm/app/devgroup/v1.3.0/devGroups/${id}`, {
      method: 'PUT',
      body: { name: 'NB group 2', maxDevNum: 5 },
    });
    expect(modified.json).toMatchObject({ id, name: 'NB group 2', maxDevNum: 5 });

    const listed = await nb(APP_ID, token, '/iocm/app/devgroup/v1.3.0/devGroups?pageNo=0&pageSize=100');
    expect(listed.json).toMatchObject({ pageNo: 0, pageSize: 100 });
    expect((listed.json['list'] as { id: string }[]).some((g) => g.id === id)).toBe(true);
    const byName = await nb(APP_ID, token, '/iocm/app/devgroup/v1.3.0/devGroups?name=NB%20group%202');
    expect(byName.json['totalCount']).toBe(1);

    const added = await nb(APP_ID, token, '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices', {
      method: 'POST',
      body: { devGroupId: id, deviceIds: [meters[6]!] },
    });
    expect(added).toEqual({ status: 200, json: { devGroupId: id, deviceIds: [meters[6]!] } });
    const members = await nb(APP_ID, token, `/iocm/app/dm/v1.2.0/devices/ids?devGroupId=${id}&pageNo=0&pageSize=10`);
    expect(members.json).toMatchObject({ totalCount: 2, pageNo: 0, pageSize: 10 });
    expect((members.json['deviceIds'] as string[]).sort()).toEqual([meters[5]!, meters[6]!].sort());
    const removed = await nb(APP_ID, token, '/iocm/app/dm/v1.1.0/devices/deleteDevGroupTagFromDevices', {
      method: 'POST',
      body: { devGroupId: id, deviceIds: [meters[6]!] },
    });
    expect(removed.status).toBe(204);

    const got = await nb(APP_ID, token, `/iocm/app/devgroup/v1.3.0/devGroups/${id}`);
    expect(got.json).toMatchObject({ id, curDevNum: 1, creator: APP_ID });
    expect((await nb(APP_ID, token, `/iocm/app/devgroup/v1.3.0/devGroups/${id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const gone = await nb(APP_ID, token, `/iocm/app/devgroup/v1.3.0/devGroups/${id}`);
    expect(gone).toMatchObject({ status: 404, json: { error_code: '100603' } });
  });

  it('never lets an application put devices it was granted edit on into its own groups (R-1.3)', async () => {
    const other = await call(apiRoutes.createApplication, {
      body: { name: 'Grantee', appId: 'grp_app_02', secret: 'grantee-secret-0123' },
    });
    await call(apiRoutes.grantApplicationAccess, {
      params: { appId: APP_ID, granteeAppId: other.application.appId },
      body: { access: 'edit' },
    });
    const token = await nbToken('grp_app_02', 'grantee-secret-0123');
    const own = await nb('grp_app_02', token, '/iocm/app/devgroup/v1.3.0/devGroups', {
      method: 'POST',
      body: { name: 'Grantee group' },
    });
    expect(own.json['appId']).toBe('grp_app_02');
    const refused = await nb('grp_app_02', token, '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices', {
      method: 'POST',
      body: { devGroupId: own.json['id'], deviceIds: [meters[0]!] },
    });
    expect(refused.status).toBe(403);
    expect(refused.json['error_desc']).toContain('even with an edit grant');
    // Acting for the owner, the grantee may group the owner's devices in the owner's groups.
    const ownerGroup = await nb('grp_app_02', token, '/iocm/app/devgroup/v1.3.0/devGroups', {
      method: 'POST',
      body: { name: 'Owner group by grantee', appId: APP_ID },
    });
    expect(ownerGroup.json['appId']).toBe(APP_ID);
    const allowed = await nb(
      'grp_app_02',
      token,
      `/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices?accessAppId=${APP_ID}`,
      { method: 'POST', body: { devGroupId: ownerGroup.json['id'], deviceIds: [meters[0]!] } },
    );
    expect(allowed.status).toBe(200);
  });

  it('answers garbage bodies with the platform invalid-input error, never a 500', async () => {
    const token = await nbToken(APP_ID, APP_SECRET);
    for (const body of [{}, { name: '' }, { name: 5 }, { name: 'x', maxDevNum: -1 }, { name: 'x', deviceIds: 'a' }]) {
      const r = await nb(APP_ID, token, '/iocm/app/devgroup/v1.3.0/devGroups', { method: 'POST', body });
      expect(r.status).toBe(400);
      expect(r.json['error_code']).toBe('100022');
    }
  });
});
