// Applications as project spaces, driven with real curl like an application server: each app sees
// only its own devices; app A grants app B query or edit rights on A's devices; B acts with `?appId=A`; grants are
// not transitive and a revoke takes effect on B's next call. Also the default app's secret and app deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { curl, curlJson } from '../support/curl.js';
import { ApiCallError, contractCaller } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let streetLight: string;

interface App {
  appId: string;
  secret: string;
  token: string;
}
const apps: Record<'water' | 'billing' | 'analytics', App> = {} as never;

async function login(appId: string, secret: string) {
  return curl([
    '-X',
    'POST',
    `${base}/iocm/app/sec/v1.1.0/login`,
    '--data-urlencode',
    `appId=${appId}`,
    '--data-urlencode',
    `secret=${secret}`,
  ]);
}

async function createApp(name: string): Promise<App> {
  const created = await call(apiRoutes.createApplication, { body: { name, industry: 'Utilities' } });
  const loggedIn = await login(created.application.appId, created.secret);
  expect(loggedIn.status).toBe(200);
  return {
    appId: created.application.appId,
    secret: created.secret,
    token: curlJson(loggedIn)!.accessToken as string,
  };
}

/** A northbound call made by `app` with its two headers (§1.1). */
async function nb(app: App, method: string, path: string, body?: unknown) {
  const result = await curl([
    '-X',
    method,
    '-H',
    `app_key: ${app.appId}`,
    '-H',
    `Authorization: Bearer ${app.token}`,
    ...(body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data', JSON.stringify(body)]),
    `${base}${path}`,
  ]);
  expect(result.exitCode, result.stderr).toBe(0);
  return { status: result.status, json: curlJson(result) ?? {} };
}

const deviceIdsOf = (json: Record<string, unknown>) => (json.devices as { deviceId: string }[]).map((d) => d.deviceId);

async function grant(owner: App, grantee: App, access: 'query' | 'edit') {
  return call(apiRoutes.grantApplicationAccess, {
    params: { appId: owner.appId, granteeAppId: grantee.appId },
    body: { access },
  });
}

let meter: string;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  apps.water = await createApp('Water utility');
  apps.billing = await createApp('Billing');
  apps.analytics = await createApp('Analytics');
  const registered = await nb(apps.water, 'POST', '/iocm/app/reg/v2.0.0/deviceCredentials', {
    deviceInfo: { nodeId: 'METER-1', name: 'Meter 1' },
    productId: streetLight,
  });
  expect(registered.status).toBe(200);
  meter = registered.json.deviceId as string;
});

afterAll(() => core.stop());

describe('the default application', () => {
  it('starts with a generated secret nobody has seen, and a reset from the page gives one that logs in', async () => {
    const [first] = (await call(apiRoutes.listApplications)).items;
    expect(first).toMatchObject({ isDefault: true, secretKnown: false, name: 'Default application' });
    const reset = await call(apiRoutes.resetApplicationSecret, { params: { appId: first!.appId }, body: {} });
    expect((await login(first!.appId, reset.secret)).status).toBe(200);
    expect((await call(apiRoutes.getApplication, { params: { appId: first!.appId } })).secretKnown).toBe(true);
  });

  it('holds the devices registered in the workbench; other apps hold what they registered', async () => {
    await call(apiRoutes.registerDevice, { body: { productId: streetLight, nodeId: 'UI-LAMP' } });
    const list = (await call(apiRoutes.listApplications)).items;
    expect(list.find((a) => a.isDefault)?.deviceCount).toBe(1);
    expect(list.find((a) => a.appId === apps.water.appId)?.deviceCount).toBe(1);
    expect(list.find((a) => a.appId === apps.billing.appId)?.deviceCount).toBe(0);
  });
});

describe('each application sees only its own devices', () => {
  it("lists only the caller's devices and answers 100403 for another app's device", async () => {
    expect(deviceIdsOf((await nb(apps.water, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0')).json)).toEqual([meter]);
    const billingList = await nb(apps.billing, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0');
    expect(billingList.json).toMatchObject({ totalCount: 0, devices: [] });
    const foreign = await nb(apps.billing, 'GET', `/iocm/app/dm/v1.4.0/devices/${meter}`);
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({ error_code: '100403' });
    expect(String(foreign.json.error_desc)).toContain(apps.billing.appId);
    const history = await nb(
      apps.billing,
      'GET',
      `/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${meter}&gatewayId=${meter}`,
    );
    expect(history.json.error_code).toBe('100403');
  });

  it('refuses ?appId= without a grant with 100217, and an unknown appId with 100203', async () => {
    const refused = await nb(apps.billing, 'GET', `/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=${apps.water.appId}`);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error_code: '100217' });
    expect(String(refused.json.error_desc)).toContain('no rights');
    const unknown = await nb(apps.billing, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=no_such_app');
    expect(unknown.status).toBe(403);
    expect(unknown.json).toMatchObject({ error_code: '100203' });
  });
});

describe('grants between applications', () => {
  it('a query grant lets the grantee read the owner devices and history, but not change them', async () => {
    const given = await grant(apps.water, apps.billing, 'query');
    expect(given).toMatchObject({
      ownerAppId: apps.water.appId,
      ownerName: 'Water utility',
      granteeAppId: apps.billing.appId,
      granteeName: 'Billing',
      access: 'query',
    });
    const forWater = `appId=${apps.water.appId}`;
    const list = await nb(apps.billing, 'GET', `/iocm/app/dm/v1.4.0/devices?pageNo=0&${forWater}`);
    expect(list.status).toBe(200);
    expect(deviceIdsOf(list.json)).toEqual([meter]);
    const one = await nb(apps.billing, 'GET', `/iocm/app/dm/v1.4.0/devices/${meter}?${forWater}`);
    expect(one.json).toMatchObject({ deviceId: meter, deviceInfo: { name: 'Meter 1' } });
    const activation = await nb(apps.billing, 'GET', `/iocm/app/reg/v1.1.0/deviceCredentials/${meter}?${forWater}`);
    expect(activation.json).toMatchObject({ deviceId: meter, activated: false });
    const history = await nb(
      apps.billing,
      'GET',
      `/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${meter}&gatewayId=${meter}&${forWater}`,
    );
    expect(history.json).toMatchObject({ totalCount: 0, deviceDataHistoryDTOs: [] });

    const modify = await nb(apps.billing, 'PUT', `/iocm/app/dm/v1.4.0/devices/${meter}?${forWater}`, {
      name: 'renamed by billing',
    });
    expect(modify.status).toBe(403);
    expect(modify.json.error_code).toBe('100217');
    expect(String(modify.json.error_desc)).toContain('query rights only');
    const remove = await nb(apps.billing, 'DELETE', `/iocm/app/dm/v1.4.0/devices/${meter}?${forWater}`);
    expect(remove.json.error_code).toBe('100217');
    const register = await nb(apps.billing, 'POST', `/iocm/app/reg/v2.0.0/deviceCredentials?${forWater}`, {
      deviceInfo: { nodeId: 'BY-BILLING' },
      productId: streetLight,
    });
    expect(register.json.error_code).toBe('100217');
    // Without ?appId= the caller still acts for itself only.
    expect((await nb(apps.billing, 'GET', `/iocm/app/dm/v1.4.0/devices/${meter}`)).json.error_code).toBe('100403');
  });

  it('is not transitive: water → billing and billing → analytics gives analytics nothing of water', async () => {
    await grant(apps.billing, apps.analytics, 'edit');
    const viaBilling = await nb(
      apps.analytics,
      'GET',
      `/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=${apps.water.appId}`,
    );
    expect(viaBilling.status).toBe(403);
    expect(viaBilling.json.error_code).toBe('100217');
    const ofBilling = await nb(
      apps.analytics,
      'GET',
      `/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=${apps.billing.appId}`,
    );
    expect(ofBilling.json).toMatchObject({ totalCount: 0 });
  });

  it('an edit grant lets the grantee register, modify and delete devices that stay the owner’s', async () => {
    expect((await grant(apps.water, apps.billing, 'edit')).access).toBe('edit');
    const forWater = `appId=${apps.water.appId}`;
    const registered = await nb(apps.billing, 'POST', `/iocm/app/reg/v2.0.0/deviceCredentials?${forWater}`, {
      deviceInfo: { nodeId: 'METER-2' },
      productId: streetLight,
    });
    expect(registered.status).toBe(200);
    const second = registered.json.deviceId as string;
    // The new device belongs to water: water lists it, billing does not hold it.
    expect(deviceIdsOf((await nb(apps.water, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0')).json).sort()).toEqual(
      [meter, second].sort(),
    );
    expect((await nb(apps.billing, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0')).json.totalCount).toBe(0);

    const modified = await nb(apps.billing, 'PUT', `/iocm/app/dm/v1.4.0/devices/${meter}?${forWater}`, {
      name: 'Meter at the pump',
      location: 'Pump house',
    });
    expect(modified.status).toBe(204);
    expect((await nb(apps.water, 'GET', `/iocm/app/dm/v1.4.0/devices/${meter}`)).json.deviceInfo).toMatchObject({
      name: 'Meter at the pump',
      location: 'Pump house',
    });
    expect((await nb(apps.billing, 'DELETE', `/iocm/app/dm/v1.4.0/devices/${second}?${forWater}`)).status).toBe(204);
    expect((await nb(apps.water, 'GET', `/iocm/app/dm/v1.4.0/devices/${second}`)).status).toBe(404);
  });

  it('shows grants given and received, and a revoke stops the grantee on its next call', async () => {
    const waterGrants = await call(apiRoutes.listApplicationGrants, { params: { appId: apps.water.appId } });
    expect(waterGrants.given.map((g) => [g.granteeAppId, g.access])).toEqual([[apps.billing.appId, 'edit']]);
    expect(waterGrants.received).toEqual([]);
    const billingGrants = await call(apiRoutes.listApplicationGrants, { params: { appId: apps.billing.appId } });
    expect(billingGrants.received.map((g) => g.ownerAppId)).toEqual([apps.water.appId]);
    expect(billingGrants.given.map((g) => g.granteeAppId)).toEqual([apps.analytics.appId]);

    const path = `/iocm/app/dm/v1.4.0/devices/${meter}?appId=${apps.water.appId}`;
    expect((await nb(apps.billing, 'GET', path)).status).toBe(200);
    await call(apiRoutes.revokeApplicationGrant, {
      params: { appId: apps.water.appId, granteeAppId: apps.billing.appId },
    });
    const after = await nb(apps.billing, 'GET', path);
    expect(after.status).toBe(403);
    expect(after.json.error_code).toBe('100217');
    // The token itself is still good for billing's own devices.
    expect((await nb(apps.billing, 'GET', '/iocm/app/dm/v1.4.0/devices?pageNo=0')).status).toBe(200);
  });

  it('refuses a grant to itself, to an unknown app, and revoking a grant that does not exist', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => (e instanceof ApiCallError ? [e.status, e.code] : e),
      );
    expect(await refusal(grant(apps.water, apps.water, 'query'))).toEqual([400, 'GRANT_TO_SELF']);
    expect(
      await refusal(
        call(apiRoutes.grantApplicationAccess, {
          params: { appId: apps.water.appId, granteeAppId: 'nobody' },
          body: { access: 'query' },
        }),
      ),
    ).toEqual([404, 'APP_NOT_FOUND']);
    expect(
      await refusal(
        call(apiRoutes.revokeApplicationGrant, {
          params: { appId: apps.water.appId, granteeAppId: apps.analytics.appId },
        }),
      ),
    ).toEqual([404, 'GRANT_NOT_FOUND']);
  });
});

describe('deleting an application', () => {
  it('refuses the default app and an app that owns devices, with the reason', async () => {
    const { items } = await call(apiRoutes.listApplications);
    const defaultApp = items.find((a) => a.isDefault)!;
    const attempt = (appId: string) =>
      core.api(`/api/apps/${appId}`, { method: 'DELETE' }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { code: string; message: string },
      }));
    expect(await attempt(defaultApp.appId)).toMatchObject({ status: 409, body: { code: 'APP_IS_DEFAULT' } });
    const water = await attempt(apps.water.appId);
    expect(water).toMatchObject({ status: 409, body: { code: 'APP_HAS_DEVICES' } });
    expect(water.body.message).toContain('still owns 1 device');
    expect(water.body.message).toContain(meter);
  });

  it('deletes an app without devices: its login and its grants are gone', async () => {
    await grant(apps.water, apps.analytics, 'query');
    expect(await call(apiRoutes.deleteApplication, { params: { appId: apps.analytics.appId } })).toEqual({
      deleted: true,
    });
    expect(curlJson(await login(apps.analytics.appId, apps.analytics.secret))).toMatchObject({
      error_code: '100208',
    });
    const waterGrants = await call(apiRoutes.listApplicationGrants, { params: { appId: apps.water.appId } });
    expect(waterGrants.given).toEqual([]);
    const billingGrants = await call(apiRoutes.listApplicationGrants, { params: { appId: apps.billing.appId } });
    expect(billingGrants.given).toEqual([]);
  });
});
