// Platform configuration: defaults, validation and where the data folder lives.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from './clock.js';
import { keychainUnavailableReasons } from './contract/platform.js';

export const APP_FOLDER_NAME = 'IoT Workbench';

/** The OS per-user application-data folder for the workbench. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_FOLDER_NAME);
}

const port = z.number().int().min(0).max(65535);

export const DEFAULT_DEVICE_PORTS = { mqttPort: 1883, coapPort: 5683, deviceBindAddress: '0.0.0.0' };

/** The platform's northbound HTTPS port (§1.1); here on 127.0.0.1, plain HTTP unless northboundTls. */
export const DEFAULT_NORTHBOUND_PORT = 8743;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where the device-secrets key comes from. The desktop app unwraps it with the OS keychain and passes it in (the
 * core then writes no key file), or says why the keychain could not be used; absent (headless) = the 0600 key file.
 */
export const deviceSecretKeySourceSchema = z.discriminatedUnion('store', [
  z.object({
    store: z.literal('os-keychain'),
    keyHex: z.string().regex(/^[0-9a-f]{64}$/, 'the device-secrets key is 64 lower-case hex digits'),
    /** The file holding the wrapped copy, shown to the user. */
    wrappedFile: z.string().min(1),
  }),
  z.object({ store: z.literal('key-file'), keychainUnavailable: z.enum(keychainUnavailableReasons) }),
]);
export type DeviceSecretKeySource = z.infer<typeof deviceSecretKeySourceSchema>;

export const platformConfigSchema = z.object({
  dataDir: z.string().min(1),
  apiPort: port.default(0),
  /** Device ports and bind address: absent = the saved setting, else the default below. */
  mqttPort: port.optional(),
  coapPort: port.optional(),
  /** MQTT over TLS: off unless a port is given (0 = a free port). */
  mqttsPort: port.optional(),
  /** The MQTTS certificate and key (PEM); without them a self-signed pair is made in the data folder. */
  mqttsCertFile: z.string().min(1).optional(),
  mqttsKeyFile: z.string().min(1).optional(),
  /** Agent-Lite-style bind (HTTP) on the device bind address; absent = 8943, or a free port if that is taken. */
  bindPort: port.optional(),
  /** Northbound compatibility API on 127.0.0.1 (application servers); absent = 8743, or a free port if that is taken. */
  northboundPort: port.optional(),
  /** Northbound API over HTTPS, as the platform serves it (§1.1); certificate and key (PEM) or a self-signed pair. */
  northboundTls: z.boolean().default(false),
  northboundCertFile: z.string().min(1).optional(),
  northboundKeyFile: z.string().min(1).optional(),
  /** Mutual TLS: application servers must present a client certificate signed by this CA (PEM). */
  northboundClientCaFile: z.string().min(1).optional(),
  /** Credentials of the default application (serve --app-id/--app-secret), so CI knows them in advance. */
  appId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'appId must be 1-64 letters, digits, _ . -')
    .optional(),
  appSecret: z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'an application secret is 8-128 printable ASCII characters without spaces')
    .optional(),
  /** Address the device-facing ports bind to; the API always binds 127.0.0.1. */
  deviceBindAddress: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** API bearer token; random per launch when absent. */
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, 'token must be 16-128 characters of A-Z a-z 0-9 _ -')
    .optional(),
  /** Built renderer folder served at `/`; absent = API only. */
  rendererDir: z.string().optional(),
  /** Write logs to stdout too (serve in a terminal). */
  logToStdout: z.boolean().default(false),
  deviceSecretKey: deviceSecretKeySourceSchema.optional(),
});

export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
export type PlatformConfig = z.output<typeof platformConfigSchema> & { clock?: Clock };

export function parsePlatformConfig(input: PlatformConfigInput & { clock?: Clock }): PlatformConfig {
  const { clock, ...rest } = input;
  const parsed = platformConfigSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...parsed.data, clock };
}
