// Messages between the main process and the core's utilityProcess, validated on both sides.
import { z } from 'zod';
import { deviceSecretKeySourceSchema } from '../core/config.js';

const port = z.number().int().min(0).max(65535);

export const coreLaunchConfigSchema = z.object({
  /** Absent = the core's own default data folder. */
  dataDir: z.string().min(1).optional(),
  rendererDir: z.string().min(1).optional(),
  apiPort: port.optional(),
  mqttPort: port.optional(),
  coapPort: port.optional(),
  /** The unwrapped device-secrets key travels only in this message, never through a file. */
  deviceSecretKey: deviceSecretKeySourceSchema.optional(),
});
export type CoreLaunchConfig = z.infer<typeof coreLaunchConfigSchema>;

/** Sent on the child's parentPort, carrying the MessagePort all further messages travel on. */
export const CONNECT_MESSAGE = { type: 'connect' } as const;

export const toCoreMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), config: coreLaunchConfigSchema }),
  z.object({ type: z.literal('stop') }),
]);
export type ToCoreMessage = z.infer<typeof toCoreMessageSchema>;

export const coreReadySchema = z.object({
  type: z.literal('ready'),
  apiUrl: z.url(),
  token: z.string().min(1),
  dataDir: z.string().min(1),
  ports: z.record(z.string(), z.number().int()),
});

export const coreErrorSchema = z.object({
  type: z.literal('error'),
  /** A StartupError code, or CORE_* for failures of the host itself. */
  code: z.string().min(1),
  message: z.string(),
  file: z.string().optional(),
});

export const fromCoreMessageSchema = z.discriminatedUnion('type', [
  coreReadySchema,
  coreErrorSchema,
  z.object({ type: z.literal('stopped') }),
]);
export type FromCoreMessage = z.infer<typeof fromCoreMessageSchema>;
export type CoreReady = z.infer<typeof coreReadySchema>;
export type CoreFailure = Omit<z.infer<typeof coreErrorSchema>, 'type'>;
