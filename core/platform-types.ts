// What createPlatform returns; kept apart so the Electron core host and the CLI can import the types alone.
export interface PlatformRuntime {
  apiUrl: string;
  token: string;
  dataDir: string;
  /** Ports the OS actually assigned, by listener name: api, mqtt, coap, … */
  ports: Record<string, number>;
}

export interface Platform {
  /** Opens the store (running migrations), binds every port and starts every capability. */
  start(): Promise<PlatformRuntime>;
  /** Stops capabilities, closes sockets and the database. Safe to call twice. */
  stop(): Promise<void>;
}

/** A start-up failure the user must read: what failed and where the files are. */
export class StartupError extends Error {
  constructor(
    readonly code:
      | 'MIGRATION_FAILED'
      | 'DATA_DIR_UNUSABLE'
      | 'DATABASE_TOO_NEW'
      | 'DATABASE_UNREADABLE'
      | 'PORT_IN_USE'
      | 'BAD_CONFIG'
      | 'SECRET_KEY_MISSING'
      | 'SECRET_KEY_UNUSABLE',
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
