// Product secrets for one-model-one-secret MQTT login (authType 1): one per product, sealed at rest with the
// device secrets' SecretBox. Products made before secrets existed get theirs on first use.
import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../devices/index.js';
import type { Migration } from '../store/migrations.js';

export const productSecretMigration: Migration = {
  version: 2,
  name: 'product secrets',
  sql: 'ALTER TABLE products ADD COLUMN secret_sealed BLOB',
};

export function generateProductSecret(): string {
  return randomBytes(16).toString('hex');
}

/** Binds a sealed product secret to its row, and keeps it apart from device rows sealed with the same key. */
const aadOf = (productId: string) => `product:${productId}`;

/** Supplies the SecretBox once the devices capability has loaded its key; undefined before. */
export type SecretBoxProvider = () => SecretBox | undefined;

export class ProductSecrets {
  private readonly listeners = new Set<(productId: string) => void>();
  private readonly read;
  private readonly write;

  constructor(
    db: Database,
    private readonly box: SecretBoxProvider,
  ) {
    this.read = db.prepare<[string], { secret_sealed: Buffer | null }>(
      'SELECT secret_sealed FROM products WHERE id = ?',
    );
    this.write = db.prepare<[Buffer, string]>('UPDATE products SET secret_sealed = ? WHERE id = ?');
  }

  private requireBox(): SecretBox {
    const box = this.box();
    if (!box) throw new Error('product secrets need the secret key, which the devices capability loads on start');
    return box;
  }

  /** Seals a fresh secret into a product row written in the same transaction (create, import). */
  initialize(productId: string): void {
    const box = this.box();
    if (box) this.write.run(box.seal(generateProductSecret(), aadOf(productId)), productId);
  }

  /** The product's secret in clear text, for login checks and its owner's page; undefined for an unknown product. */
  secret(productId: string): string | undefined {
    const row = this.read.get(productId);
    if (!row) return undefined;
    if (row.secret_sealed === null) return this.store(productId, generateProductSecret());
    return this.requireBox().open(row.secret_sealed, aadOf(productId));
  }

  /** Replaces the secret (generated unless given); logins with the old one are refused from now on. */
  reset(productId: string, requested?: string): string | undefined {
    if (!this.read.get(productId)) return undefined;
    const secret = this.store(
      productId,
      requested === undefined || requested === '' ? generateProductSecret() : requested,
    );
    for (const listener of this.listeners) listener(productId);
    return secret;
  }

  onReset(listener: (productId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private store(productId: string, secret: string): string {
    this.write.run(this.requireBox().seal(secret, aadOf(productId)), productId);
    return secret;
  }
}
