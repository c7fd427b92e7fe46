// Contract of the platform's own routes: health, platform info, settings, logs.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const healthSchema = z.object({ status: z.literal('ok'), uptimeMs: z.number() });

export const listenerSchema = z.object({
  name: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  address: z.string(),
  port: z.number().int(),
});
export type Listener = z.infer<typeof listenerSchema>;

export const hostAddressSchema = z.object({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  internal: z.boolean(),
});

/** Why the desktop app kept the device-secrets key in a plain key file instead of the OS keychain. */
export const keychainUnavailableReasons = ['not-available', 'linux-basic-text', 'wrap-failed'] as const;
export type KeychainUnavailableReason = (typeof keychainUnavailableReasons)[number];

/** Where the key that encrypts device secrets at rest lives. */
export const secretKeyLocationSchema = z.object({
  /** os-keychain: only a copy wrapped by the OS keychain is on disk; key-file: the plain key, a 0600 file. */
  store: z.enum(['os-keychain', 'key-file']),
  file: z.string(),
  /** Set when the desktop app would have used the keychain but could not. */
  keychainUnavailable: z.enum(keychainUnavailableReasons).optional(),
});
export type SecretKeyLocation = z.infer<typeof secretKeyLocationSchema>;

export const platformInfoSchema = z.object({
  name: z.literal('IoT Workbench'),
  version: z.string(),
  dataDir: z.string(),
  databaseFile: z.string(),
  logFile: z.string(),
  startedAt: z.number(),
  uptimeMs: z.number(),
  /** Ports the OS actually assigned, by name: api, mqtt, coap, and what later capabilities add. */
  ports: z.record(z.string(), z.number().int()),
  listeners: z.array(listenerSchema),
  hostAddresses: z.array(hostAddressSchema),
  connectedDevices: z.number().int(),
  node: z.string(),
  os: z.string(),
  /** Always sent by the core; optional so older fixtures of this shape stay valid. */
  deviceSecretKey: secretKeyLocationSchema.optional(),
});
export type PlatformInfo = z.infer<typeof platformInfoSchema>;

const portSetting = z.number().int().min(0).max(65535);
export const settingsSchema = z.object({
  mqttPort: portSetting,
  coapPort: portSetting,
  deviceBindAddress: z.string().min(1),
});
export type Settings = z.infer<typeof settingsSchema>;

export const logLevelNames = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const logEntrySchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  level: z.enum(logLevelNames),
  source: z.string(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const platformRoutes = {
  health: defineRoute({
    method: 'GET',
    path: '/api/health',
    tag: 'platform',
    summary: 'Liveness of the core',
    response: healthSchema,
  }),
  info: defineRoute({
    method: 'GET',
    path: '/api/platform',
    tag: 'platform',
    summary: 'Version, data folder, listening ports, uptime and host addresses',
    response: platformInfoSchema,
  }),
  getSettings: defineRoute({
    method: 'GET',
    path: '/api/settings',
    tag: 'platform',
    summary: 'Saved settings (ports apply on the next start)',
    response: z.object({ saved: settingsSchema, active: settingsSchema }),
  }),
  putSettings: defineRoute({
    method: 'PUT',
    path: '/api/settings',
    tag: 'platform',
    summary: 'Save settings; port changes apply on the next start',
    body: settingsSchema.partial(),
    response: z.object({ saved: settingsSchema, active: settingsSchema, restartRequired: z.boolean() }),
  }),
  logs: defineRoute({
    method: 'GET',
    path: '/api/logs',
    tag: 'platform',
    summary: 'The most recent log lines, oldest first',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(200),
      minLevel: z.enum(logLevelNames).default('info'),
    }),
    response: z.object({ entries: z.array(logEntrySchema) }),
  }),
} as const;
