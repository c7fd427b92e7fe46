// Applications: hashed secrets, the one valid access/refresh token pair per app, and which app owns a device.
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { DomainError } from '../domain-error.js';
import type { Clock } from '../clock.js';
import type { Application, ApplicationGrant, GrantAccess } from '../contract/apps.js';
import type { Migration } from '../store/migrations.js';

export const appMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'applications, tokens, device ownership',
    sql: `CREATE TABLE apps (
      app_id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      industry TEXT,
      secret_hash TEXT NOT NULL,
      store_history INTEGER NOT NULL DEFAULT 1,
      is_default INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      access_hash TEXT,
      access_expires INTEGER,
      refresh_hash TEXT,
      refresh_expires INTEGER
    );
    CREATE UNIQUE INDEX apps_one_default ON apps (is_default) WHERE is_default = 1;
    CREATE UNIQUE INDEX apps_access ON apps (access_hash) WHERE access_hash IS NOT NULL;
    CREATE TABLE app_devices (
      device_id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      info TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX app_devices_app ON app_devices (app_id);`,
  },
  {
    version: 2,
    name: 'grants between applications, whether the secret was ever shown',
    // A default application made before this migration had a generated secret nobody saw (unless --app-secret
    // gave it; that start marks it known again).
    sql: `ALTER TABLE apps ADD COLUMN secret_known INTEGER NOT NULL DEFAULT 1;
    UPDATE apps SET secret_known = 0 WHERE is_default = 1;
    CREATE TABLE app_grants (
      owner_app_id TEXT NOT NULL,
      grantee_app_id TEXT NOT NULL,
      access TEXT NOT NULL CHECK (access IN ('query', 'edit')),
      created_at INTEGER NOT NULL,
      PRIMARY KEY (owner_app_id, grantee_app_id)
    );
    CREATE INDEX app_grants_grantee ON app_grants (grantee_app_id);`,
  },
];

/** §1.2: access tokens live 3600 s, refresh tokens 24 h. */
export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 24 * 3600;
export const DEFAULT_APP_NAME = 'Default application';

interface AppRow {
  app_id: string;
  name: string;
  industry: string | null;
  secret_hash: string;
  store_history: number;
  is_default: number;
  created_at: number;
  access_hash: string | null;
  access_expires: number | null;
  refresh_hash: string | null;
  refresh_expires: number | null;
  secret_known: number;
}

interface GrantRow {
  owner_app_id: string;
  owner_name: string;
  grantee_app_id: string;
  grantee_name: string;
  access: GrantAccess;
  created_at: number;
}

const GRANT_SELECT = `SELECT g.owner_app_id, o.name AS owner_name, g.grantee_app_id, e.name AS grantee_name, g.access,
  g.created_at FROM app_grants g JOIN apps o ON o.app_id = g.owner_app_id JOIN apps e ON e.app_id = g.grantee_app_id`;

/** Who an API caller is: cheap to build on every northbound request (no device counting). */
export type AppIdentity = Pick<Application, 'appId' | 'name'>;

/** Which devices an application holds, as a filter on the device registry's ids. */
export type DeviceScope = { onlyIds: string[] } | { exceptIds: string[] };

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Why a token or login was refused: the northbound API maps these to the platform's error codes. */
export type AuthFailure = 'BAD_CREDENTIALS' | 'BAD_TOKEN' | 'BAD_REFRESH_TOKEN';

export class AuthRefusal extends DomainError {
  constructor(
    override readonly code: AuthFailure,
    message: string,
  ) {
    super(code, message);
    this.name = 'AuthRefusal';
  }
}

// Login is rare and the secret is a password: a slow salted hash, so a copied database does not give it away.
function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, 32);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

function secretMatches(secret: string, stored: string): boolean {
  const [kind, saltHex, hashHex] = stored.split('$');
  if (kind !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const given = scryptSync(secret, Buffer.from(saltHex, 'hex'), expected.length);
  return timingSafeEqual(given, expected);
}

// Tokens are random 128-bit values: a fast hash is enough and keeps every API call cheap.
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(16).toString('hex');
export const generateAppSecret = () => randomBytes(12).toString('hex');
const generateAppId = () => randomBytes(12).toString('hex');

export class AppRegistry {
  private readonly byId;
  private readonly byAccess;
  private readonly ownerOf;
  private readonly grantAccess;
  private readonly ownedCount;
  private readonly othersCount;
  private readonly byDefault;
  /** Cached per device for the ingest path: the data store asks on every report. */
  private readonly historyCache = new Map<string, boolean>();

  /** `countAllDevices`: every registered device; those no other app claimed belong to the default app. */
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly countAllDevices?: () => number,
  ) {
    this.byId = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE app_id = ?');
    this.byAccess = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE access_hash = ?');
    this.ownerOf = db.prepare<[string], { app_id: string }>('SELECT app_id FROM app_devices WHERE device_id = ?');
    this.grantAccess = db.prepare<[string, string], { access: GrantAccess }>(
      'SELECT access FROM app_grants WHERE owner_app_id = ? AND grantee_app_id = ?',
    );
    this.ownedCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM app_devices WHERE app_id = ?');
    this.othersCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM app_devices WHERE app_id != ?');
    this.byDefault = db.prepare<[], AppRow>('SELECT * FROM apps WHERE is_default = 1');
  }

  private deviceCount(row: AppRow): number {
    if (row.is_default !== 1 || !this.countAllDevices) return this.ownedCount.get(row.app_id)?.n ?? 0;
    return Math.max(0, this.countAllDevices() - (this.othersCount.get(row.app_id)?.n ?? 0));
  }

  private view(row: AppRow): Application {
    const now = this.clock.now();
    return {
      appId: row.app_id,
      name: row.name,
      ...(row.industry === null ? {} : { industry: row.industry }),
      storeHistory: row.store_history === 1,
      isDefault: row.is_default === 1,
      secretKnown: row.secret_known === 1,
      deviceCount: this.deviceCount(row),
      createdAt: new Date(row.created_at).toISOString(),
      ...(row.access_expires !== null && row.access_expires > now
        ? { tokenExpiresAt: new Date(row.access_expires).toISOString() }
        : {}),
    };
  }

  private defaultRow(): AppRow | undefined {
    return this.byDefault.get();
  }

  /**
   * The default application exists from the first start. Given credentials (serve --app-id/--app-secret) replace
   * its id and secret, so CI scripts log in with values they chose; a new secret ends every session.
   */
  ensureDefault(credentials?: { appId?: string; secret?: string }): { application: Application; secret?: string } {
    return this.db.transaction(() => {
      const existing = this.defaultRow();
      if (!existing) {
        const secret = credentials?.secret ?? generateAppSecret();
        const appId = credentials?.appId ?? generateAppId();
        const secretKnown = credentials?.secret !== undefined;
        this.insertApp({ appId, name: DEFAULT_APP_NAME, secret, isDefault: true, secretKnown });
        return { application: this.require(appId), ...(credentials?.secret ? {} : { secret }) };
      }
      let appId = existing.app_id;
      if (credentials?.appId && credentials.appId !== appId) {
        const clash = this.byId.get(credentials.appId);
        if (clash)
          throw new Error(`--app-id ${credentials.appId} is already the id of the application "${clash.name}"`);
        this.db.prepare('UPDATE apps SET app_id = ? WHERE app_id = ?').run(credentials.appId, appId);
        this.db.prepare('UPDATE app_devices SET app_id = ? WHERE app_id = ?').run(credentials.appId, appId);
        this.db.prepare('UPDATE app_grants SET owner_app_id = ? WHERE owner_app_id = ?').run(credentials.appId, appId);
        this.db
          .prepare('UPDATE app_grants SET grantee_app_id = ? WHERE grantee_app_id = ?')
          .run(credentials.appId, appId);
        appId = credentials.appId;
      }
      if (credentials?.secret) {
        if (secretMatches(credentials.secret, existing.secret_hash))
          this.db.prepare('UPDATE apps SET secret_known = 1 WHERE app_id = ?').run(appId);
        else this.setSecret(appId, credentials.secret);
      }
      this.historyCache.clear();
      return { application: this.require(appId) };
    })();
  }

  private insertApp(input: {
    appId: string;
    name: string;
    secret: string;
    isDefault: boolean;
    industry?: string;
    /** False for a generated secret nobody has been shown. */
    secretKnown: boolean;
  }) {
    this.db
      .prepare(
        `INSERT INTO apps (app_id, name, industry, secret_hash, is_default, created_at, secret_known)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.appId,
        input.name,
        input.industry ?? null,
        hashSecret(input.secret),
        input.isDefault ? 1 : 0,
        this.clock.now(),
        input.secretKnown ? 1 : 0,
      );
  }

  create(input: { name: string; industry?: string; appId?: string; secret?: string }): {
    application: Application;
    secret: string;
  } {
    const appId = input.appId ?? generateAppId();
    if (this.byId.get(appId)) throw new DomainError('APP_EXISTS', `an application has the id ${appId}`, 'body.appId');
    if (this.db.prepare('SELECT 1 FROM apps WHERE name = ?').get(input.name))
      throw new DomainError('APP_NAME_TAKEN', `an application is already named "${input.name}"`, 'body.name');
    const secret = input.secret ?? generateAppSecret();
    this.insertApp({
      appId,
      name: input.name,
      secret,
      isDefault: false,
      secretKnown: true,
      ...(input.industry ? { industry: input.industry } : {}),
    });
    return { application: this.require(appId), secret };
  }

  list(): Application[] {
    return this.db
      .prepare<[], AppRow>('SELECT * FROM apps ORDER BY is_default DESC, created_at, app_id')
      .all()
      .map((r) => this.view(r));
  }

  get(appId: string): Application | undefined {
    const row = this.byId.get(appId);
    return row ? this.view(row) : undefined;
  }

  require(appId: string): Application {
    const app = this.get(appId);
    if (!app) throw new DomainError('APP_NOT_FOUND', `no application has the id ${appId}`, 'params.appId');
    return app;
  }

  defaultApp(): Application {
    const row = this.defaultRow();
    if (!row) throw new Error('the default application has not been created');
    return this.view(row);
  }

  update(appId: string, changes: { industry?: string; storeHistory?: boolean }): Application {
    this.require(appId);
    if (changes.industry !== undefined)
      this.db.prepare('UPDATE apps SET industry = ? WHERE app_id = ?').run(changes.industry, appId);
    if (changes.storeHistory !== undefined) {
      this.db.prepare('UPDATE apps SET store_history = ? WHERE app_id = ?').run(changes.storeHistory ? 1 : 0, appId);
      this.historyCache.clear();
    }
    return this.require(appId);
  }

  /** the old secret, and every token issued with it, stop working immediately. */
  setSecret(appId: string, requested?: string): string {
    this.require(appId);
    const secret = requested ?? generateAppSecret();
    this.db
      .prepare(
        `UPDATE apps SET secret_hash = ?, secret_known = 1, access_hash = NULL, access_expires = NULL, refresh_hash = NULL,
         refresh_expires = NULL WHERE app_id = ?`,
      )
      .run(hashSecret(secret), appId);
    return secret;
  }

  /** Refused for the default application and for one that still owns devices: they would be left without an app. */
  remove(appId: string): void {
    const app = this.require(appId);
    if (app.isDefault)
      throw new DomainError(
        'APP_IS_DEFAULT',
        'the default application cannot be deleted: devices registered in the workbench belong to it',
        'params.appId',
      );
    if (app.deviceCount > 0) {
      const examples = this.db
        .prepare<[string], { device_id: string }>('SELECT device_id FROM app_devices WHERE app_id = ? LIMIT 3')
        .all(appId)
        .map((r) => r.device_id);
      throw new DomainError(
        'APP_HAS_DEVICES',
        `"${app.name}" still owns ${app.deviceCount} device${app.deviceCount === 1 ? '' : 's'} (${examples.join(', ')}${app.deviceCount > examples.length ? ', …' : ''}); delete them first`,
        'params.appId',
        { deviceCount: app.deviceCount },
      );
    }
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM app_grants WHERE owner_app_id = ? OR grantee_app_id = ?').run(appId, appId);
      this.db.prepare('DELETE FROM apps WHERE app_id = ?').run(appId);
    })();
  }

  /** the owner lets the grantee query (or query and edit) the owner's devices. Re-granting changes the access. */
  grant(ownerAppId: string, granteeAppId: string, access: GrantAccess): ApplicationGrant {
    this.require(ownerAppId);
    if (!this.byId.get(granteeAppId))
      throw new DomainError('APP_NOT_FOUND', `no application has the id ${granteeAppId}`, 'params.granteeAppId');
    if (granteeAppId === ownerAppId)
      throw new DomainError(
        'GRANT_TO_SELF',
        'an application always has every right on its own devices',
        'params.granteeAppId',
      );
    this.db
      .prepare(
        `INSERT INTO app_grants (owner_app_id, grantee_app_id, access, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_app_id, grantee_app_id) DO UPDATE SET access = excluded.access`,
      )
      .run(ownerAppId, granteeAppId, access, this.clock.now());
    const row = this.db
      .prepare<[string, string], GrantRow>(`${GRANT_SELECT} WHERE g.owner_app_id = ? AND g.grantee_app_id = ?`)
      .get(ownerAppId, granteeAppId);
    if (!row) throw new Error(`the grant ${ownerAppId} -> ${granteeAppId} vanished while it was written`);
    return grantView(row);
  }

  /** Takes effect on the grantee's next call: its tokens stay valid, only the rights go. */
  revoke(ownerAppId: string, granteeAppId: string): void {
    this.require(ownerAppId);
    const { changes } = this.db
      .prepare('DELETE FROM app_grants WHERE owner_app_id = ? AND grantee_app_id = ?')
      .run(ownerAppId, granteeAppId);
    if (changes === 0)
      throw new DomainError(
        'GRANT_NOT_FOUND',
        `${ownerAppId} has given ${granteeAppId} no rights to revoke`,
        'params.granteeAppId',
      );
  }

  /** Grants the app gave (on its devices) and received (on other apps' devices). */
  grants(appId: string): { given: ApplicationGrant[]; received: ApplicationGrant[] } {
    this.require(appId);
    const rows = (column: 'owner_app_id' | 'grantee_app_id') =>
      this.db
        .prepare<[string], GrantRow>(`${GRANT_SELECT} WHERE g.${column} = ? ORDER BY g.created_at, g.grantee_app_id`)
        .all(appId)
        .map(grantView);
    return { given: rows('owner_app_id'), received: rows('grantee_app_id') };
  }

  /** What the grantee may do with the owner's devices; grants are not transitive, so only a direct grant counts. */
  accessOf(ownerAppId: string, granteeAppId: string): GrantAccess | undefined {
    return this.grantAccess.get(ownerAppId, granteeAppId)?.access;
  }

  /** The devices an app holds: the ones it claimed, or for the default app every device nobody else claimed. */
  deviceScope(appId: string): DeviceScope {
    const row = this.byId.get(appId);
    if (row?.is_default === 1)
      return {
        exceptIds: this.db
          .prepare<[string], { device_id: string }>('SELECT device_id FROM app_devices WHERE app_id != ?')
          .all(appId)
          .map((r) => r.device_id),
      };
    return {
      onlyIds: this.db
        .prepare<[string], { device_id: string }>('SELECT device_id FROM app_devices WHERE app_id = ?')
        .all(appId)
        .map((r) => r.device_id),
    };
  }

  private checkSecret(appId: string, secret: string): AppRow {
    const row = this.byId.get(appId);
    // Hash anyway for an unknown appId, so the answer time does not tell which appIds exist.
    const ok = secretMatches(secret, row?.secret_hash ?? hashSecret('not-an-app'));
    if (!row || !ok) throw new AuthRefusal('BAD_CREDENTIALS', 'appId or secret is not right');
    return row;
  }

  private issue(appId: string): IssuedTokens {
    const now = this.clock.now();
    const accessToken = newToken();
    const refreshToken = newToken();
    // One row per app holds the one valid pair: issuing a new pair is what invalidates the old one (§1.1).
    this.db
      .prepare(
        'UPDATE apps SET access_hash = ?, access_expires = ?, refresh_hash = ?, refresh_expires = ? WHERE app_id = ?',
      )
      .run(
        tokenHash(accessToken),
        now + ACCESS_TOKEN_TTL_S * 1000,
        tokenHash(refreshToken),
        now + REFRESH_TOKEN_TTL_S * 1000,
        appId,
      );
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_S };
  }

  login(appId: string, secret: string): IssuedTokens {
    this.checkSecret(appId, secret);
    return this.issue(appId);
  }

  refresh(appId: string, secret: string, refreshToken: string): IssuedTokens {
    const row = this.checkSecret(appId, secret);
    const valid =
      row.refresh_hash !== null &&
      row.refresh_expires !== null &&
      row.refresh_expires > this.clock.now() &&
      timingSafeEqual(Buffer.from(row.refresh_hash), Buffer.from(tokenHash(refreshToken)));
    if (!valid) throw new AuthRefusal('BAD_REFRESH_TOKEN', 'refreshToken is invalid or expired');
    return this.issue(appId);
  }

  /** The app an access token belongs to, if it is the newest one and not expired. */
  authenticate(appKey: string | undefined, accessToken: string | undefined): AppIdentity {
    if (!appKey || !accessToken) throw new AuthRefusal('BAD_TOKEN', 'app_key or access_token is missing');
    const row = this.byAccess.get(tokenHash(accessToken));
    if (!row || row.app_id !== appKey) throw new AuthRefusal('BAD_TOKEN', 'app_key or access_token is invalid');
    if (row.access_expires === null || row.access_expires <= this.clock.now())
      throw new AuthRefusal('BAD_TOKEN', 'access_token has expired');
    return { appId: row.app_id, name: row.name };
  }

  logout(accessToken: string): void {
    this.db
      .prepare(
        'UPDATE apps SET access_hash = NULL, access_expires = NULL, refresh_hash = NULL, refresh_expires = NULL WHERE access_hash = ?',
      )
      .run(tokenHash(accessToken));
  }

  /** Records which app registered a device (devices registered in the workbench belong to the default app). */
  claimDevice(deviceId: string, appId: string): void {
    this.db
      .prepare(
        'INSERT INTO app_devices (device_id, app_id) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET app_id = excluded.app_id',
      )
      .run(deviceId, appId);
    this.historyCache.delete(deviceId);
  }

  ownerOfDevice(deviceId: string): string {
    const owner = this.ownerOf.get(deviceId)?.app_id ?? this.defaultRow()?.app_id;
    if (owner === undefined) throw new Error('the default application has not been created');
    return owner;
  }

  identityOf(appId: string): AppIdentity | undefined {
    const row = this.byId.get(appId);
    return row ? { appId: row.app_id, name: row.name } : undefined;
  }

  /** Northbound-only device fields (location, endUser, mute, …) the registry does not model. */
  deviceInfo(deviceId: string): Record<string, unknown> {
    const row = this.db
      .prepare<[string], { info: string }>('SELECT info FROM app_devices WHERE device_id = ?')
      .get(deviceId);
    return row ? (JSON.parse(row.info) as Record<string, unknown>) : {};
  }

  setDeviceInfo(deviceId: string, appId: string, info: Record<string, unknown>): void {
    this.db
      .prepare(
        `INSERT INTO app_devices (device_id, app_id, info) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET info = json_patch(info, excluded.info)`,
      )
      .run(deviceId, appId, JSON.stringify(info));
  }

  forgetDevice(deviceId: string): void {
    this.db.prepare('DELETE FROM app_devices WHERE device_id = ?').run(deviceId);
    this.historyCache.delete(deviceId);
  }

  /** whether the device's application keeps history. */
  storesHistory(deviceId: string): boolean {
    let keep = this.historyCache.get(deviceId);
    if (keep === undefined) {
      const owner = this.ownerOf.get(deviceId)?.app_id;
      const row = owner ? this.byId.get(owner) : this.defaultRow();
      keep = row ? row.store_history === 1 : true;
      if (this.historyCache.size > 100_000) this.historyCache.clear();
      this.historyCache.set(deviceId, keep);
    }
    return keep;
  }
}

function grantView(row: GrantRow): ApplicationGrant {
  return {
    ownerAppId: row.owner_app_id,
    ownerName: row.owner_name,
    granteeAppId: row.grantee_app_id,
    granteeName: row.grantee_name,
    access: row.access,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
