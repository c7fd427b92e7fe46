// An engineer checks a water meter's binary reports in the traffic inspector: a real MQTT client (mqtt.js) sends
// them as a registered device, the inspector shows what the product's codec makes of each one, and a frame
// becomes a sample on the codec page.
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-traffic-codec-');
/** From resources/samples/codecs/water-meter/samples.json. */
const BASIC_REPORT = '0100BC614E00000E1000D7007D';
const BATTERY_REPORT = '025514';

let core: RunningCore;
const call = contractCaller(() => core);
let browser: BrowserSession;
let page: Page;
let product: string;
let deviceId: string;
let meter: mqtt.MqttClient;

const rows = () => page.getByTestId('traffic-row');
beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), rendererDir: join(process.cwd(), 'dist', 'renderer') });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
  await call(apiRoutes.installCodecSample, { params: { id: product }, body: { name: 'water-meter', kind: 'layout' } });
  const registered = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'meter-e2e' } });
  deviceId = registered.device.deviceId;
  const login = deviceLogin(deviceId, registered.secret);
  meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
    clientId: login.clientId,
    username: login.username,
    password: login.password,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  browser = await openBrowser({ screenshotPrefix: 'traffic-codec', viewport: { width: 1400, height: 900 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await meter?.endAsync();
  await browser?.close();
  await core?.stop();
}, 60_000);

describe("an engineer reads a water meter's binary reports decoded by its codec", { timeout: 90_000 }, () => {
  it('sees the frames of the meter arrive', async () => {
    await page.goto(`${core.runtime.apiUrl}/#token=${core.runtime.token}`);
    await page.getByRole('navigation').getByText('Traffic').click();
    await page.getByRole('heading', { name: 'Traffic', level: 2 }).waitFor({ timeout: 20_000 });
    const topic = `/huawei/v1/devices/${deviceId}/data/binary`;
    await meter.publishAsync(topic, Buffer.from(BASIC_REPORT, 'hex'), { qos: 1 });
    await meter.publishAsync(topic, Buffer.from(BATTERY_REPORT, 'hex'), { qos: 1 });
    await meter.publishAsync(`/huawei/v1/devices/${deviceId}/data/json`, '{"msgType":"deviceReq","data":[]}', {
      qos: 0,
    });
    // CONNECT, CONNACK, 2 × (PUBLISH, PUBACK) and the JSON PUBLISH.
    await expect.poll(() => rows().count(), { timeout: 20_000 }).toBe(7);
  });

  it('filters by topic to the binary reports', async () => {
    await page.getByTestId('filter-input').fill('mqtt.topic contains "/data/binary"');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
  });

  it("opens a report and sees the codec's decode with the model's property names, the payload bytes lit", async () => {
    await rows().first().click();
    const codecLayer = page.locator('[data-testid="detail-layer"][data-layer="codec"]');
    await codecLayer.waitFor({ timeout: 10_000 });
    expect(await codecLayer.textContent()).toContain('Codec decode (v1)');
    const reading = page.locator('[data-testid="detail-field"][data-field="decoded.currentReading"]');
    expect(await reading.textContent()).toContain('currentReading: 12345.678');
    expect(await reading.textContent()).toContain('m³');
    await reading.click();
    await expect.poll(() => page.locator('[data-testid="hex-byte"][data-highlighted]').count()).toBe(13);
    await browser.screenshot('1-codec-layer', false);
  });

  it('filters on a decoded property', async () => {
    await page.getByTestId('filter-input').fill('decoded.batteryLevel >= 80');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    await rows().first().click();
    await page.locator('[data-testid="detail-field"][data-field="decoded.batteryLevel"]').waitFor({ timeout: 10_000 });
  });

  it('adds the frame as a codec sample and finds it on the codec page', async () => {
    await page.getByRole('button', { name: 'Add as codec sample' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add this frame as a codec sample' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(BATTERY_REPORT);
    expect(await dialog.textContent()).toContain('"batteryLevel": 85');
    await dialog.getByLabel('Sample name').fill('Battery 85 % from the field');
    await browser.screenshot('2-add-sample', false);
    await dialog.getByRole('button', { name: 'Add sample' }).click();
    await page.getByTestId('codec-sample-added').waitFor({ timeout: 10_000 });
    await page.getByTestId('open-codec-page').click();
    const samples = page.getByTestId('codec-samples');
    await samples.waitFor({ timeout: 20_000 });
    await expect.poll(() => samples.textContent(), { timeout: 10_000 }).toContain('Battery 85 % from the field');
    await browser.screenshot('3-codec-page', false);
  });
});
