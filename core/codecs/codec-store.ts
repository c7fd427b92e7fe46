// SQLite tables of codecs: one row per version (one active per product) and the sample frames.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  codecSampleInputSchema,
  type CodecKind,
  type CodecSample,
  type CodecSampleInput,
  type CodecVersion,
} from '../contract/codecs.js';
import type { Migration } from '../store/migrations.js';

export const codecMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'codec versions and samples',
    sql: `
CREATE TABLE codec_versions (
  product_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('script', 'layout')),
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, version)
);
CREATE UNIQUE INDEX codec_versions_one_active ON codec_versions (product_id) WHERE active = 1;
CREATE TABLE codec_samples (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  sample_json TEXT NOT NULL
);
CREATE INDEX codec_samples_product ON codec_samples (product_id, position);
`,
  },
];

interface VersionRow {
  product_id: string;
  version: number;
  kind: CodecKind;
  source: string;
  created_at: string;
  active: number;
}

const toVersion = (row: VersionRow): CodecVersion => ({
  productId: row.product_id,
  version: row.version,
  kind: row.kind,
  source: row.source,
  createdAt: row.created_at,
  active: row.active === 1,
});

export class CodecStore {
  constructor(private readonly db: Database) {}

  /** Adds a version and makes it the active one. */
  addVersion(productId: string, kind: CodecKind, source: string, createdAt: string): CodecVersion {
    this.activeByProduct.delete(productId);
    return this.db.transaction(() => {
      const last = this.db
        .prepare('SELECT MAX(version) AS v FROM codec_versions WHERE product_id = ?')
        .get(productId) as { v: number | null };
      const version = (last.v ?? 0) + 1;
      this.db.prepare('UPDATE codec_versions SET active = 0 WHERE product_id = ? AND active = 1').run(productId);
      this.db
        .prepare(
          'INSERT INTO codec_versions (product_id, version, kind, source, created_at, active) VALUES (?, ?, ?, ?, ?, 1)',
        )
        .run(productId, version, kind, source, createdAt);
      return this.version(productId, version)!;
    })();
  }

  version(productId: string, version: number): CodecVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM codec_versions WHERE product_id = ? AND version = ?')
      .get(productId, version) as VersionRow | undefined;
    return row && toVersion(row);
  }

  /** Asked on every decoded uplink, so kept in memory; the methods that change versions forget a product's entry. */
  private readonly activeByProduct = new Map<string, Readonly<CodecVersion> | null>();

  active(productId: string): CodecVersion | undefined {
    let active = this.activeByProduct.get(productId);
    if (active === undefined) {
      const row = this.db
        .prepare<[string], VersionRow>('SELECT * FROM codec_versions WHERE product_id = ? AND active = 1')
        .get(productId);
      active = row ? Object.freeze(toVersion(row)) : null;
      this.activeByProduct.set(productId, active);
    }
    return active ?? undefined;
  }

  versions(productId: string): CodecVersion[] {
    return (
      this.db
        .prepare('SELECT * FROM codec_versions WHERE product_id = ? ORDER BY version DESC')
        .all(productId) as VersionRow[]
    ).map(toVersion);
  }

  activeVersions(): CodecVersion[] {
    return (
      this.db.prepare('SELECT * FROM codec_versions WHERE active = 1 ORDER BY product_id').all() as VersionRow[]
    ).map(toVersion);
  }

  activate(productId: string, version: number): boolean {
    this.activeByProduct.delete(productId);
    return this.db.transaction(() => {
      if (!this.version(productId, version)) return false;
      this.db.prepare('UPDATE codec_versions SET active = 0 WHERE product_id = ? AND active = 1').run(productId);
      this.db
        .prepare('UPDATE codec_versions SET active = 1 WHERE product_id = ? AND version = ?')
        .run(productId, version);
      return true;
    })();
  }

  deleteCodec(productId: string): boolean {
    this.activeByProduct.delete(productId);
    return this.db.transaction(() => {
      const removed = this.db.prepare('DELETE FROM codec_versions WHERE product_id = ?').run(productId).changes;
      this.db.prepare('DELETE FROM codec_samples WHERE product_id = ?').run(productId);
      return removed > 0;
    })();
  }

  samples(productId: string): CodecSample[] {
    const rows = this.db
      .prepare('SELECT id, sample_json FROM codec_samples WHERE product_id = ? ORDER BY position, id')
      .all(productId) as { id: string; sample_json: string }[];
    return rows.map((r) => {
      const input = codecSampleInputSchema.parse(JSON.parse(r.sample_json));
      return { ...input, id: r.id, productId };
    });
  }

  addSample(productId: string, input: CodecSampleInput): CodecSample {
    const id = randomUUID();
    const last = this.db
      .prepare('SELECT MAX(position) AS p FROM codec_samples WHERE product_id = ?')
      .get(productId) as { p: number | null };
    this.db
      .prepare('INSERT INTO codec_samples (id, product_id, position, sample_json) VALUES (?, ?, ?, ?)')
      .run(id, productId, (last.p ?? 0) + 1, JSON.stringify(input));
    return { ...input, id, productId };
  }

  updateSample(productId: string, id: string, input: CodecSampleInput): CodecSample | undefined {
    const changed = this.db
      .prepare('UPDATE codec_samples SET sample_json = ? WHERE id = ? AND product_id = ?')
      .run(JSON.stringify(input), id, productId).changes;
    return changed ? { ...input, id, productId } : undefined;
  }

  deleteSample(productId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM codec_samples WHERE id = ? AND product_id = ?').run(id, productId).changes > 0;
  }
}
