// The devices page's virtual list at 100k devices: a 100-row page fetched by offset (what the list does when
// the user drags the scrollbar anywhere) against the same page by keyset cursor, over the real API.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { startCore } from '../support/core.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const FLEET = 100_000;
const PAGE = 100;

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
      db.close();

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
      return {
        rows: [
          { label: 'keyset page from the middle (baseline)', value: ms(keyset), unit: 'ms' },
          { label: 'offset page in the middle (50k)', value: ms(offsetMiddle), unit: 'ms' },
          { label: 'offset page at the end (99.9k)', value: ms(offsetEnd), unit: 'ms' },
          { label: 'offset page at the end, status filter', value: ms(offsetFiltered), unit: 'ms' },
        ],
        ratio: { label: 'end-offset pages/s / keyset pages/s', value: offsetEnd / keyset },
      };
    } finally {
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
