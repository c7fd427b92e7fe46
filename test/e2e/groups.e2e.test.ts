// A field operations lead organises meters: builds a small tree (site, floor), adds meters to the site, drags one
// meter onto the floor, moves a group with the keyboard menu, defines a tag and tags meters, and sees it in Chinese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
const meters: string[] = [];

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${serve.ready.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

const row = (name: string) => page.locator(`[data-testid="group-row"][data-group-name="${name}"]`);

beforeAll(async () => {
  serve = await startServe(tempDir());
  const product = await api<{ id: string }>('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', {
    method: 'POST',
  });
  for (let i = 1; i <= 3; i++) {
    const r = await api<{ device: { deviceId: string } }>('/api/devices', {
      method: 'POST',
      body: { productId: product.id, nodeId: `meter-${i}`, name: `Meter ${i}` },
    });
    meters.push(r.device.deviceId);
  }
  browser = await openBrowser({ screenshotPrefix: 'groups' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a field operations lead organises meters in groups', { timeout: 90_000 }, () => {
  it('builds a tree: a site at the top level and a floor inside it', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Groups').click();
    await page.getByRole('heading', { name: 'Groups and tags', level: 2 }).waitFor({ timeout: 20_000 });
    await row('Default').waitFor();

    await page.getByRole('button', { name: 'New top-level group' }).click();
    await page.getByLabel('Name').fill('Site A');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await row('Site A').waitFor();

    await page.getByRole('button', { name: 'Actions for Site A' }).click();
    await page.getByRole('menuitem', { name: 'Add subgroup' }).click();
    await page.getByLabel('Name').fill('Floor 1');
    await page.getByLabel('Device limit').fill('2');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await row('Floor 1').waitFor();
    await browser.screenshot('01-tree');
  });

  it('adds meters to the site by searching for them', async () => {
    await row('Site A').getByRole('button', { name: 'Site A', exact: true }).click();
    await page.getByRole('heading', { name: 'Site A', level: 3 }).waitFor();
    await page.getByRole('button', { name: 'Add devices' }).click();
    const dialog = page.getByRole('dialog');
    for (const nodeId of ['meter-1', 'meter-2']) {
      await dialog.getByLabel('Find a device').fill(nodeId);
      await page.getByRole('option', { name: new RegExp(`Meter ${nodeId.slice(-1)} ·`) }).click();
    }
    await dialog.getByRole('button', { name: 'Add 2 devices' }).click();
    await expect.poll(() => page.getByTestId('group-device-row').count()).toBe(2);
    await browser.screenshot('02-site-devices');
  });

  it('drags a meter from the site onto the floor', async () => {
    const meter2 = page.getByTestId('group-device-row').filter({ hasText: 'Meter 2' });
    await meter2.dragTo(row('Floor 1'));
    await expect.poll(async () => (await api<{ groupId?: string }>(`/api/devices/${meters[1]}`)).groupId).toBeDefined();
    const tree = await api<{ roots: { name: string; id: string; children: { id: string; name: string }[] }[] }>(
      '/api/groups',
    );
    const floor = tree.roots.find((g) => g.name === 'Site A')!.children[0]!;
    expect((await api<{ groupId?: string }>(`/api/devices/${meters[1]}`)).groupId).toBe(floor.id);
    await expect.poll(() => page.getByTestId('group-device-row').count()).toBe(1);
    // The tree shows 1 in the site and 2 counting the floor.
    await expect.poll(() => row('Site A').textContent()).toContain('1 (2)');
  });

  it('moves the floor to the top level with the keyboard menu and back under the site by drag and drop', async () => {
    await page.getByRole('button', { name: 'Actions for Floor 1' }).click();
    await page.getByRole('menuitem', { name: 'Make top-level' }).click();
    await expect
      .poll(async () => (await api<{ roots: { name: string }[] }>('/api/groups')).roots.map((g) => g.name))
      .toContain('Floor 1');
    await row('Floor 1').dragTo(row('Site A'));
    await expect
      .poll(async () => (await api<{ roots: { name: string }[] }>('/api/groups')).roots.map((g) => g.name))
      .not.toContain('Floor 1');
  });

  it('spells out what deleting a group with subgroups does', async () => {
    await page.getByRole('button', { name: 'Actions for Site A' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Its 1 direct subgroup becomes a top-level group and keeps its devices.').waitFor();
    await dialog.getByLabel('Delete this group and everything below it').check();
    await dialog.getByText('2 devices leave their group. The devices themselves are not deleted.').waitFor();
    await browser.screenshot('03-delete-choice');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await browser.screenshot('03b-after-cancel');
    await dialog.waitFor({ state: 'detached' });
  });

  it('defines a tag and tags the selected meters', async () => {
    await page.getByRole('tab', { name: 'Tags' }).click();
    await page.getByLabel('Key').fill('site');
    await page.getByLabel('Value').fill('north');
    await page.getByRole('button', { name: 'Define tag' }).click();
    await page.getByTestId('tag-row').filter({ hasText: 'site=north' }).waitFor();

    await page.getByRole('tab', { name: 'Groups' }).click();
    await row('Site A').getByRole('button', { name: 'Site A', exact: true }).click();
    await page.getByLabel('Include subgroups').check({ force: true });
    await expect.poll(() => page.getByTestId('group-device-row').count()).toBe(2);
    await page.getByLabel('Select all devices shown').check();
    await page.getByPlaceholder('Tag selected…').click();
    await page.getByRole('option', { name: 'site=north' }).click();
    await page.getByRole('tab', { name: 'Tags' }).click();
    await page.getByTestId('tag-row').filter({ hasText: '2 devices' }).waitFor();
    await browser.screenshot('04-tags');
  });

  it('opens the devices list filtered by the tag and moves a selected meter to a group in bulk', async () => {
    await page.getByTestId('tag-row').filter({ hasText: 'site=north' }).getByRole('link').click();
    await expect.poll(() => page.getByTestId('device-total').textContent()).toBe('2 devices');
    await page.getByLabel('Select meter-1').check();
    await page.getByTestId('bulk-bar').getByText('1 device selected').waitFor();
    await page.getByRole('button', { name: 'Add to group…' }).click();
    await page.getByRole('menuitem', { name: 'Site A / Floor 1' }).click();
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await api<{ groupId?: string }>(`/api/devices/${meters[0]}`)).groupId)
      .toBe(
        (await api<{ roots: { name: string; children: { id: string }[] }[] }>('/api/groups')).roots.find(
          (g) => g.name === 'Site A',
        )!.children[0]!.id,
      );
    await page.goto(`${serve.ready.api}/devices`);
    await expect.poll(() => page.getByTestId('device-total').textContent()).toBe('3 devices');
    await page.getByPlaceholder('Any group').click();
    await page.getByRole('option', { name: 'Site A', exact: true }).click();
    await expect.poll(() => page.getByTestId('device-total').textContent()).toBe('2 devices');
    await browser.screenshot('07-devices-filtered');
  });

  it('sends a batch command to a group from the devices list and watches its progress', async () => {
    await page.getByRole('button', { name: 'Batch command' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('batch-product').click();
    await page.getByRole('option').first().click();
    await dialog.getByText('A group', { exact: true }).click();
    await dialog.getByPlaceholder('Group', { exact: true }).click();
    await page.getByRole('option', { name: 'Site A', exact: true }).click();
    await dialog.getByRole('button', { name: 'Send to 2 devices' }).waitFor();
    await dialog.locator('[data-para="value"]').click();
    await page.getByRole('option').first().click();
    await browser.screenshot('08-batch-group');
    await dialog.getByRole('button', { name: 'Send to 2 devices' }).click();
    await dialog.getByTestId('batch-progress').waitFor();
    await dialog.getByText(/of 2 finished/).waitFor();
    await browser.screenshot('09-batch-progress');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('reads the same page in Chinese', async () => {
    await page.goto(`${serve.ready.api}/groups`);
    await page.getByRole('heading', { name: 'Groups and tags', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '分组与标签', level: 2 }).waitFor({ timeout: 20_000 });
    await row('Site A').getByRole('button', { name: 'Site A', exact: true }).click();
    await page.getByText('包含子分组').waitFor();
    await browser.screenshot('05-zh-groups');
    await page
      .locator('[data-testid="group-row"][data-group-name="Site A"]')
      .getByRole('button', { name: 'Site A 的操作' })
      .click();
    await page.getByRole('menuitem', { name: '删除…' }).click();
    await page.getByRole('dialog').getByText('删除此分组及其下所有分组').waitFor();
    await browser.screenshot('06-zh-delete');
  });
});
