// An engineer watches a simulated device's traffic: filters by topic, opens a frame, sees its bytes
// highlighted, exports pcapng that tshark reads, and the view survives a flood.
// The core runs in this process (createPlatform + the built UI); frames are published on its bus the way
// the MQTT and CoAP adapters will publish them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePcpFrame } from '../../core/protocols/pcp/pcp-frame.js';
import { createPlatform, type PlatformHandle } from '../../core/platform.js';
import type { PlatformRuntime } from '../../core/platform-types.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { useTempDirs } from '../support/temp-dir.js';
import { mqttFrame, sampleSession } from '../support/traffic-frames.js';

const run = promisify(execFile);
const tempDir = useTempDirs('iotwb-e2e-traffic-');

let platform: PlatformHandle;
let runtime: PlatformRuntime;
let browser: BrowserSession;
let page: Page;
let dataDir: string;

const rows = () => page.getByTestId('traffic-row');

beforeAll(async () => {
  dataDir = tempDir();
  platform = createPlatform({
    dataDir,
    apiPort: 0,
    mqttPort: 0,
    coapPort: 0,
    northboundPort: 0,
    deviceBindAddress: '127.0.0.1',
    logLevel: 'warn',
    rendererDir: join(process.cwd(), 'dist', 'renderer'),
  });
  runtime = await platform.start();
  for (const e of sampleSession((h) => Buffer.from(h, 'hex'))) platform.bus.publish('frame', e);
  browser = await openBrowser({ screenshotPrefix: 'traffic', viewport: { width: 1400, height: 900 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
}, 60_000);

describe('an engineer inspects device traffic', { timeout: 90_000 }, () => {
  it('opens Traffic and sees the captured frames, coloured by protocol', async () => {
    await page.goto(`${runtime.apiUrl}/#token=${runtime.token}`);
    await page.getByRole('navigation').getByText('Traffic').click();
    await page.getByRole('heading', { name: 'Traffic', level: 2 }).waitFor({ timeout: 20_000 });
    await expect.poll(() => rows().count(), { timeout: 20_000 }).toBe(14);
    expect(await rows().nth(4).getAttribute('data-protocol')).toBe('MQTT');
    expect(await rows().nth(10).getAttribute('data-protocol')).toBe('PCP');
    expect(await rows().nth(4).textContent()).toContain('PUBLISH /huawei/v1/devices/dev-1/data/json QoS 1');
    await browser.screenshot('1-list', false);
  });

  it('sees new frames arrive live', async () => {
    platform.bus.publish(
      'frame',
      mqttFrame(
        {
          cmd: 'publish',
          topic: '/huawei/v1/devices/dev-1/data/json',
          payload: Buffer.from('{"temperature":23}'),
          qos: 0,
          retain: false,
          dup: false,
        },
        { deviceId: 'dev-1' },
      ),
    );
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(15);
  });

  it('is shown where a filter is wrong', async () => {
    const input = page.getByTestId('filter-input');
    await input.fill('mqtt.topic contain "data"');
    const error = page.getByTestId('filter-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('Error at character 12');
    await browser.screenshot('2-filter-error', false);
  });

  it('filters by topic', async () => {
    await page.getByTestId('filter-input').fill('mqtt.topic contains "data" && mqtt.qos == 1');
    await page.getByTestId('filter-error').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    expect(await rows().first().textContent()).toContain('/huawei/v1/devices/dev-1/data/json');
  });

  it('selects the frame and sees the topic bytes highlighted, and the field of a clicked byte', async () => {
    await rows().first().click();
    const topic = page.locator('[data-testid="detail-field"][data-field="mqtt.topic"]');
    await topic.waitFor({ timeout: 10_000 });
    await topic.click();
    const lit = page.locator('[data-testid="hex-byte"][data-highlighted]');
    // Two length bytes and the 34 bytes of the topic.
    await expect.poll(() => lit.count()).toBe(36);
    expect(await lit.first().getAttribute('data-offset')).toBe('2');
    await browser.screenshot('3-topic-highlighted', false);

    // A byte of the payload selects the payload field in the tree.
    await page.locator('[data-testid="hex-byte"][data-offset="45"]').click();
    await expect
      .poll(() => page.locator('[data-testid="detail-field"][data-selected="true"]').getAttribute('data-field'))
      .toBe('mqtt.msg');
  });

  it('opens a PCP frame carried in LwM2M /19 and sees its fields', async () => {
    await page.getByTestId('filter-input').fill('pcp.code == 21');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    await rows().first().click();
    const version = page.locator('[data-testid="detail-field"][data-field="pcp.targetVersion"]');
    await version.waitFor({ timeout: 10_000 });
    expect(await version.textContent()).toContain('V1.0');
    await version.click();
    await expect.poll(() => page.locator('[data-testid="hex-byte"][data-highlighted]').count()).toBe(16);
    await browser.screenshot('4-pcp', false);
  });

  it('exports the filtered frames as pcapng that tshark reads', async () => {
    await page.getByTestId('filter-input').fill('mqtt');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(7);
    await page.getByRole('button', { name: 'Export' }).click();
    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'pcapng: filtered frames' }).click();
    const download = await downloadPromise;
    const file = join(dataDir, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).readUInt32LE(0)).toBe(0x0a0d0d0a);
    const { stdout } = await run('tshark', [
      '-r',
      file,
      '-d',
      'tcp.port==1883,mqtt',
      '-Y',
      'mqtt',
      '-T',
      'fields',
      '-e',
      'mqtt.topic',
    ]);
    const topics = stdout.split('\n').filter(Boolean);
    expect(topics).toEqual([
      '/huawei/v1/devices/dev-1/command/json',
      '/huawei/v1/devices/dev-1/data/json',
      '/huawei/v1/devices/dev-1/data/json',
    ]);
  });

  it('stays responsive under a flood and says how many frames it did not show', async () => {
    await page.getByRole('button', { name: 'Clear the filter' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBeGreaterThan(10);
    // Long tasks (over 50 ms) of the page's main thread, collected while the flood runs.
    await page.evaluate(`
      window.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration)))
        .observe({ type: 'longtask' });
    `);
    // 2,000 frames a second for 3 seconds, published in 50 ms slices.
    const pcp = Buffer.from(encodePcpFrame({ code: 21, kind: 'request', targetVersion: 'V2', shardIndex: 3 }));
    for (let tick = 0; tick < 60; tick++) {
      for (let i = 0; i < 100; i++) {
        platform.bus.publish(
          'frame',
          mqttFrame(
            {
              cmd: 'publish',
              topic: `flood/${i}`,
              payload: i % 10 ? Buffer.from(`{"n":${tick * 100 + i}}`) : pcp,
              qos: 0,
              retain: false,
              dup: false,
            },
            { deviceId: `sim-${i % 20}`, connectionId: `sim-${i % 20}` },
          ),
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect
      .poll(() => page.getByTestId('traffic-stats').textContent(), { timeout: 20_000 })
      .toContain('5000 shown');
    const overLimit = page.getByTestId('not-shown-over-limit');
    await overLimit.waitFor({ timeout: 10_000 });
    expect(await overLimit.textContent()).toMatch(/frames not shown \(over the view's limit/);
    // Only the visible rows are in the DOM.
    expect(await rows().count()).toBeLessThan(80);
    const longTasks = await page.evaluate<number[]>('window.longTasks');
    console.log(`flood: ${longTasks.length} long tasks, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`);
    // The target is none over 100 ms (met on a quiet machine: see the log line); this guard only catches a
    // freeze, since on a loaded 2-core machine the browser shares its cores with the core and the test.
    expect(Math.max(0, ...longTasks)).toBeLessThan(500);
    await browser.screenshot('5-flood', false);
  });

  it('pauses, counts what arrives, and catches up on resume', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    for (let i = 0; i < 30; i++) platform.bus.publish('frame', mqttFrame({ cmd: 'pingreq' }, { deviceId: 'dev-1' }));
    await expect
      .poll(() => page.getByTestId('not-shown-paused').textContent(), { timeout: 10_000 })
      .toMatch(/30 frames not shown \(paused\)/);
    await browser.screenshot('6-paused', false);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('not-shown-paused').waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => rows().last().textContent(), { timeout: 10_000 }).toContain('PINGREQ');
  });

  it('reads the same page in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '流量', level: 2 }).waitFor();
    // The flood above added PCP frames of its own; the one of the sample session is the meter's.
    await page.getByTestId('filter-input').fill('pcp.code == 21 && device == "imei-8640"');
    await page.getByRole('button', { name: '应用', exact: true }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    await rows().first().click();
    await page.locator('[data-testid="detail-field"][data-field="pcp.targetVersion"]').click();
    await expect.poll(() => page.locator('[data-testid="hex-byte"][data-highlighted]').count()).toBe(16);
    await browser.screenshot('7-zh-pcp', false);
    await page.getByTestId('filter-input').fill('mqtt.topic contain "data"');
    const error = page.getByTestId('filter-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('第 12 个字符处出错');
    await browser.screenshot('8-zh-filter-error', false);
  });
});
