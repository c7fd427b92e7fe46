// The devices page's virtual list at 100k devices: a 100-row page fetched by offset (what the list does when
// the user drags the scrollbar anywhere) against the same page by keyset cursor, over the real API; then with
// 1,000 groups 5 deep and 50 tags, a group's page with its descendants, a tag filter and a batch target resolved,
// each p99 against the plain keyset page's p99 of the same run.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { startCore } from '../support/core.js';
import { latencyPercentiles, opsPerSecond, type Benchmark } from './harness.js';

const FLEET = 100_000;
const PAGE = 100;
const GROUPS = 1000;
const DEPTH = 5;
const TAGS = 50;

/** A random tree no deeper than DEPTH (a fixed seed: every run builds the same one); returns each group's depth. */
function groupTree(): { parent: (number | null)[]; depth: number[] } {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const parent: (number | null)[] = [];
  const depth: number[] = [];
  for (let i = 0; i < GROUPS; i++) {
    if (i < 5) {
      parent.push(null);
      depth.push(1);
      continue;
    }
    let p = Math.floor(random() * i);
    while (depth[p]! >= DEPTH) p = parent[p]!;
    parent.push(p);
    depth.push(depth[p]! + 1);
  }
  return { parent, depth };
}

export const benchmark: Benchmark = {
  name: `devices list: ${PAGE}-row pages at ${FLEET / 1000}k devices, offset (virtual list jump) vs keyset cursor`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-list-'));
    const core = await startCore({ dataDir, logLevel: 'error' });
    try {
      const created = await core.api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', {
        method: 'POST',
      });
      const { id: product } = (await created.json()) as { id: string };
      const db = new Database(join(dataDir, DATABASE_FILE_NAME));
      const insert = db.prepare(
        `INSERT INTO devices (id, product_id, node_id, name, protocol_type, secret_sealed, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'MQTT', x'00', ?, 0, 0)`,
      );
      const statuses = ['inactive', 'online', 'offline', 'abnormal'];
      db.transaction(() => {
        for (let i = 0; i < FLEET; i++) insert.run(`${product}_B${i}`, product, `B${i}`, `pole ${i}`, statuses[i % 4]);
      })();
      const apps = (await (await core.api('/api/apps')).json()) as { items: { appId: string; isDefault: boolean }[] };
      const appId = apps.items.find((a) => a.isDefault)!.appId;
      const tree = groupTree();
      const insertGroup = db.prepare(
        `INSERT INTO device_groups (id, app_id, name, parent_id, creator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)`,
      );
      const insertTag = db.prepare(`INSERT INTO device_tags (id, key, value, created_at) VALUES (?, 'batch', ?, 0)`);
      const link = db.prepare('INSERT INTO device_tag_links (tag_id, device_id) VALUES (?, ?)');
      db.transaction(() => {
        tree.parent.forEach((p, i) =>
          insertGroup.run(`G${i}`, appId, `group ${i}`, p === null ? null : `G${p}`, appId),
        );
        for (let t = 0; t < TAGS; t++) insertTag.run(`T${t}`, `lot ${t}`);
        db.prepare(`UPDATE devices SET group_id = 'G' || (seq % ${GROUPS})`).run();
        for (let i = 0; i < FLEET; i++) link.run(`T${i % TAGS}`, `${product}_B${i}`);
      })();
      db.close();
      // The root with the largest subtree: the worst group page with descendants.
      const below = new Array<number>(GROUPS).fill(1);
      for (let i = GROUPS - 1; i >= 5; i--) below[tree.parent[i]!]! += below[i]!;
      const bigRoot = [0, 1, 2, 3, 4].reduce((best, r) => (below[r]! > below[best]! ? r : best), 0);
      const leaf = tree.depth.findIndex((d) => d === DEPTH);

      const page = async (query: string) => {
        const r = await core.api(`/api/devices?limit=${PAGE}&${query}`);
        const body = (await r.json()) as { items: unknown[] };
        return body.items.length === PAGE ? 1 : 0;
      };
      const middleSeq = String(FLEET / 2 + 1);
      const keyset = await opsPerSecond(() => page(`cursor=${middleSeq}`));
      const offsetMiddle = await opsPerSecond(() => page(`offset=${FLEET / 2}`));
      const offsetEnd = await opsPerSecond(() => page(`offset=${FLEET - PAGE}`));
      const offsetFiltered = await opsPerSecond(() => page(`status=offline&offset=${FLEET / 4 - PAGE}`));
      const ms = (perSecond: number) => 1000 / perSecond;

      const keysetP = await latencyPercentiles(() => page(`cursor=${middleSeq}`));
      const groupP = await latencyPercentiles(() => page(`groupId=G${bigRoot}`));
      const leafP = await latencyPercentiles(() => page(`groupId=G${leaf}&descendants=false`));
      const tagP = await latencyPercentiles(() => page(`tagId=T7`));
      const resolveP = await latencyPercentiles(async () => {
        const r = await core.api('/api/groups:resolve-target', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'group', groupId: `G${bigRoot}` }),
        });
        const body = (await r.json()) as { total: number };
        if (!(body.total > 0)) throw new Error('the batch target resolved to no device');
      }, 50);
      const resolved = (await (
        await core.api('/api/groups:resolve-target', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'group', groupId: `G${bigRoot}` }),
        })
      ).json()) as { total: number };
      return {
        rows: [
          { label: 'keyset page from the middle (baseline)', value: ms(keyset), unit: 'ms' },
          { label: 'offset page in the middle (50k)', value: ms(offsetMiddle), unit: 'ms' },
          { label: 'offset page at the end (99.9k)', value: ms(offsetEnd), unit: 'ms' },
          { label: 'offset page at the end, status filter', value: ms(offsetFiltered), unit: 'ms' },
          { label: 'keyset page p99 (baseline of the group rows)', value: keysetP.p99, unit: 'ms' },
          {
            label: `group page with descendants p99 (${below[bigRoot]} groups, ${resolved.total} devices)`,
            value: groupP.p99,
            unit: 'ms',
          },
          { label: 'leaf group page p99', value: leafP.p99, unit: 'ms' },
          { label: `tag filter page p99 (${FLEET / TAGS} devices carry it)`, value: tagP.p99, unit: 'ms' },
          { label: `batch target resolved p99 (${resolved.total} device ids)`, value: resolveP.p99, unit: 'ms' },
          { label: 'group page p99 / keyset page p99', value: groupP.p99 / keysetP.p99, unit: 'x' },
          { label: 'tag page p99 / keyset page p99', value: tagP.p99 / keysetP.p99, unit: 'x' },
          { label: 'batch target p99 / keyset page p99', value: resolveP.p99 / keysetP.p99, unit: 'x' },
        ],
        ratio: { label: 'end-offset pages/s / keyset pages/s', value: offsetEnd / keyset },
      };
    } finally {
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
