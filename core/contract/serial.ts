// Contract of the serial workbench: ports, terminal sessions, the AT console, scripts and virtual modules.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';

export const commonBaudRates = [9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600] as const;

export const serialPortInfoSchema = z.object({
  path: z.string(),
  manufacturer: z.string().optional(),
  serialNumber: z.string().optional(),
  vendorId: z.string().optional(),
  productId: z.string().optional(),
  pnpId: z.string().optional(),
  /** A virtual module's pty made by the workbench (not a USB device). */
  virtual: z.boolean().optional(),
  /** Session id of the terminal that owns the port, or another owner's name. */
  owner: z.string().optional(),
});
export type SerialPortInfo = z.infer<typeof serialPortInfoSchema>;

export const serialPortListSchema = z.object({
  ports: z.array(serialPortInfoSchema),
  /** Why the USB list could not be read (e.g. udevadm missing); virtual ports are still listed. */
  listError: z.string().optional(),
});

export const lineEndings = ['none', 'lf', 'cr', 'crlf'] as const;
export const lineEndingSchema = z.enum(lineEndings);
export type LineEnding = z.infer<typeof lineEndingSchema>;

export const serialOpenSettingsSchema = z.object({
  path: z.string().min(1).max(4096),
  baudRate: z.number().int().min(50).max(16_000_000).default(115200),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
  flowControl: z.enum(['none', 'rtscts', 'xonxoff']).default('none'),
  /** Reopen the port when it comes back after vanishing (unplugged). */
  reconnect: z.boolean().default(false),
  /** Write each line to a log file in the data folder. */
  logToFile: z.boolean().default(false),
});
export type SerialOpenSettings = z.infer<typeof serialOpenSettingsSchema>;

export const serialSessionStatusSchema = z.enum(['open', 'reconnecting', 'closed', 'taken-over']);
export type SerialSessionStatus = z.infer<typeof serialSessionStatusSchema>;

export const serialSessionSchema = z.object({
  id: z.string(),
  settings: serialOpenSettingsSchema,
  status: serialSessionStatusSchema,
  /** Human reason for the last status change (port vanished, closed by user …). */
  statusMessage: z.string().optional(),
  rts: z.boolean(),
  dtr: z.boolean(),
  openedAt: z.number(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  logFile: z.string().optional(),
});
export type SerialSession = z.infer<typeof serialSessionSchema>;

export const serialChunkSchema = z.object({
  at: z.number(),
  direction: z.enum(['in', 'out']),
  base64: z.string(),
});
export type SerialChunk = z.infer<typeof serialChunkSchema>;

export const serialSendSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('text'), text: z.string().max(65536), lineEnding: lineEndingSchema.default('crlf') }),
  /** Hex digits, spaces allowed between bytes: `41 54 0d 0a`. */
  z.object({ mode: z.literal('hex'), hex: z.string().max(200_000) }),
]);
export type SerialSend = z.infer<typeof serialSendSchema>;

export const atFinalSchema = z.enum(['ok', 'error', 'cme-error', 'timeout']);
export const atResultSchema = z.object({
  command: z.string(),
  final: atFinalSchema,
  /** `+CME ERROR:<n>` code. */
  cmeError: z.number().int().optional(),
  /** Response lines between the echo and the final result code. */
  lines: z.array(z.string()),
  /** Unsolicited result codes seen while waiting (`+NNMI…`, `+QLWEVTIND…`, boot banner). */
  urcs: z.array(z.string()),
  durationMs: z.number(),
  /** Parsed fields when the library knows the command. */
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  parseError: z.string().optional(),
});
export type AtResult = z.infer<typeof atResultSchema>;

export const atCommandInfoSchema = z.object({
  id: z.string(),
  command: z.string(),
  /** Command with placeholders to fill, e.g. `AT+NCDP=<ip>,<port>`. */
  template: z.string().optional(),
  group: z.enum(['identity', 'radio', 'platform', 'data', 'system']),
});
export type AtCommandInfo = z.infer<typeof atCommandInfoSchema>;

export const atScriptStepSchema = z.object({
  command: z.string().min(1).max(2048),
  /** Text that must appear in the response (or `OK` / `ERROR` for the final code); empty = any success. */
  expect: z.string().max(512).default(''),
  timeoutMs: z.number().int().min(10).max(600_000).default(5000),
  /** Pause after the step. */
  waitMs: z.number().int().min(0).max(600_000).default(0),
});
export const atScriptSchema = z.object({
  id: z.string(),
  name: z.string(),
  steps: z.array(atScriptStepSchema),
  updatedAt: z.number(),
});
export type AtScript = z.infer<typeof atScriptSchema>;
export const atScriptInputSchema = z.object({
  name: z.string().min(1).max(200),
  steps: z.array(atScriptStepSchema).min(1).max(500),
});
export const atScriptRunSchema = z.object({
  passed: z.boolean(),
  steps: z.array(z.object({ command: z.string(), passed: z.boolean(), result: atResultSchema })),
});

export const virtualModuleSchema = z.object({
  id: z.string(),
  /** The end the user opens (the module answers on the other end). */
  path: z.string(),
  imei: z.string(),
});
export type VirtualModule = z.infer<typeof virtualModuleSchema>;

/** The bring-up flow's steps, in order (issue 8): each can run alone. */
export const bringUpStepIds = ['imei', 'register', 'cdp', 'reboot', 'registration', 'uplink'] as const;
export const bringUpStepIdSchema = z.enum(bringUpStepIds);
export type BringUpStepId = z.infer<typeof bringUpStepIdSchema>;
export const bringUpStepStateSchema = z.enum(['pending', 'running', 'ok', 'failed', 'skipped']);
export type BringUpStepState = z.infer<typeof bringUpStepStateSchema>;

/** What a step shows beside its result: AT exchanges with the module, CoAP messages with the platform, notes. */
export const bringUpEvidenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('at'), result: atResultSchema }),
  z.object({
    kind: z.literal('coap'),
    at: z.number(),
    /** in = module to platform. */
    direction: z.enum(['in', 'out']),
    peer: z.string(),
    /** `POST /rd?ep=863…&lt=86400` or `2.01 Created /rd/5a3f`. */
    summary: z.string(),
  }),
  z.object({ kind: z.literal('note'), at: z.number(), text: z.string() }),
]);
export type BringUpEvidence = z.infer<typeof bringUpEvidenceSchema>;

export const bringUpStepSchema = z.object({
  id: bringUpStepIdSchema,
  state: bringUpStepStateSchema,
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** Why it failed or was skipped, in words. */
  message: z.string().optional(),
  /** The step's outcome as fields (IMEI, device id, server, endpoint …). */
  result: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  evidence: z.array(bringUpEvidenceSchema),
});
export type BringUpStep = z.infer<typeof bringUpStepSchema>;

const platformServerSchema = z.object({
  host: z.string().regex(/^[0-9A-Za-z.:-]{1,253}$/, 'an IPv4/IPv6 address or host name'),
  port: z.number().int().min(1).max(65535),
});

export const bringUpStateSchema = z.object({
  sessionId: z.string(),
  running: z.boolean(),
  productId: z.string().optional(),
  imei: z.string().optional(),
  deviceId: z.string().optional(),
  server: platformServerSchema.optional(),
  /** The first uplink decoded by the product's codec. */
  uplink: z.object({ serviceId: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  steps: z.array(bringUpStepSchema),
});
export type BringUpState = z.infer<typeof bringUpStateSchema>;

export const bringUpRunSchema = z.object({
  productId: z.string().min(1).max(64),
  /** Run only this step; without it the whole flow runs (from `from`, or from the start). */
  step: bringUpStepIdSchema.optional(),
  from: bringUpStepIdSchema.optional(),
  /** The CDP server the module is pointed at; the first of the platform addresses when left out. */
  server: platformServerSchema.optional(),
  /** Bytes the uplink step sends with AT+NMGS while it waits (a test frame); none = wait for the module's own. */
  uplinkHex: z
    .string()
    .regex(/^([0-9A-Fa-f]{2})*$/, 'hex digits, two per byte')
    .max(1024)
    .optional(),
  registrationTimeoutS: z.number().int().min(1).max(600).default(90),
  uplinkTimeoutS: z.number().int().min(1).max(3600).default(120),
});
export type BringUpRun = z.input<typeof bringUpRunSchema>;

export const platformAddressesSchema = z.object({
  /** The CoAP port the core actually listens on; absent when no CoAP listener is bound. */
  coapPort: z.number().int().optional(),
  /** Addresses of this machine the module can reach, loopback first (for a virtual module). */
  addresses: z.array(z.object({ host: z.string(), interface: z.string(), internal: z.boolean() })),
  /** The CoAP listener's bind address when it is not every interface. */
  bindAddress: z.string().optional(),
});
export type PlatformAddresses = z.infer<typeof platformAddressesSchema>;

const sessionParams = z.object({ id: z.string() });
const tag = 'serial';

export const serialRoutes = {
  listSerialPorts: defineRoute({
    method: 'GET',
    path: '/api/serial/ports',
    tag,
    summary: 'Serial ports on this machine with USB details, and the virtual module ports',
    response: serialPortListSchema,
  }),
  listSerialSessions: defineRoute({
    method: 'GET',
    path: '/api/serial/sessions',
    tag,
    summary: 'Open terminal sessions',
    response: z.object({ sessions: z.array(serialSessionSchema) }),
  }),
  openSerialSession: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions',
    tag,
    summary: 'Open a port in a terminal session (the session owns the port)',
    body: serialOpenSettingsSchema,
    response: serialSessionSchema,
    status: 201,
  }),
  closeSerialSession: defineRoute({
    method: 'DELETE',
    path: '/api/serial/sessions/:id',
    tag,
    summary: 'Close a terminal session and release its port',
    params: sessionParams,
    response: z.object({ closed: z.literal(true) }),
  }),
  sendSerial: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions/:id/send',
    tag,
    summary: 'Send text with a line ending, or hex bytes',
    params: sessionParams,
    body: serialSendSchema,
    response: z.object({ bytes: z.number().int() }),
  }),
  setSerialSignals: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions/:id/signals',
    tag,
    summary: 'Set RTS and DTR',
    params: sessionParams,
    body: z.object({ rts: z.boolean().optional(), dtr: z.boolean().optional() }),
    response: serialSessionSchema,
  }),
  serialOutput: defineRoute({
    method: 'GET',
    path: '/api/serial/sessions/:id/output',
    tag,
    summary: 'The bounded buffer of bytes in and out of a session',
    params: sessionParams,
    response: z.object({ chunks: z.array(serialChunkSchema), droppedBytes: z.number().int() }),
  }),
  serialHistory: defineRoute({
    method: 'GET',
    path: '/api/serial/sessions/:id/history',
    tag,
    summary: 'Lines sent in a session, newest last',
    params: sessionParams,
    response: z.object({ lines: z.array(z.string()) }),
  }),
  serialLog: defineRoute({
    method: 'GET',
    path: '/api/serial/sessions/:id/log',
    tag,
    summary: 'Download the session output as a timestamped text log',
    params: sessionParams,
    response: binaryDownloadSchema,
  }),
  runAtCommand: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions/:id/at',
    tag,
    summary: 'Send an AT command and collect its response (OK, ERROR, +CME ERROR or timeout)',
    params: sessionParams,
    body: z.object({
      command: z.string().min(1).max(2048),
      timeoutMs: z.number().int().min(10).max(600_000).optional(),
    }),
    response: atResultSchema,
  }),
  atLibrary: defineRoute({
    method: 'GET',
    path: '/api/serial/at/commands',
    tag,
    summary: 'The NB-IoT module command library',
    response: z.object({ commands: z.array(atCommandInfoSchema) }),
  }),
  listAtScripts: defineRoute({
    method: 'GET',
    path: '/api/serial/at/scripts',
    tag,
    summary: 'Saved AT scripts',
    response: z.object({ scripts: z.array(atScriptSchema) }),
  }),
  saveAtScript: defineRoute({
    method: 'PUT',
    path: '/api/serial/at/scripts/:scriptId',
    tag,
    summary: 'Create or replace an AT script',
    params: z.object({ scriptId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    body: atScriptInputSchema,
    response: atScriptSchema,
  }),
  deleteAtScript: defineRoute({
    method: 'DELETE',
    path: '/api/serial/at/scripts/:scriptId',
    tag,
    summary: 'Delete an AT script',
    params: z.object({ scriptId: z.string() }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  runAtScript: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions/:id/scripts/:scriptId/run',
    tag,
    summary: 'Run a saved AT script on a session, step by step',
    params: z.object({ id: z.string(), scriptId: z.string() }),
    response: atScriptRunSchema,
  }),
  listVirtualModules: defineRoute({
    method: 'GET',
    path: '/api/serial/virtual-modules',
    tag,
    summary: 'Virtual NB-IoT modules running on pty pairs',
    response: z.object({
      modules: z.array(virtualModuleSchema),
      available: z.boolean(),
      reason: z.string().optional(),
    }),
  }),
  startVirtualModule: defineRoute({
    method: 'POST',
    path: '/api/serial/virtual-modules',
    tag,
    summary: 'Start a virtual NB-IoT module on a socat pty pair',
    body: z.object({
      imei: z
        .string()
        .regex(/^\d{15}$/)
        .optional(),
    }),
    response: virtualModuleSchema,
    status: 201,
  }),
  bringUpAddresses: defineRoute({
    method: 'GET',
    path: '/api/serial/bring-up/addresses',
    tag,
    summary: "This machine's addresses and CoAP port, for pointing a module at the platform (AT+NCDP)",
    response: platformAddressesSchema,
  }),
  getBringUp: defineRoute({
    method: 'GET',
    path: '/api/serial/sessions/:id/bring-up',
    tag,
    summary: "The bring-up flow of a session's module: each step's state, result and evidence",
    params: sessionParams,
    response: bringUpStateSchema,
  }),
  runBringUp: defineRoute({
    method: 'POST',
    path: '/api/serial/sessions/:id/bring-up',
    tag,
    summary:
      'Start the bring-up flow (or one step) for the module on this session under a CoAP/LwM2M product; progress comes as task events',
    params: sessionParams,
    body: bringUpRunSchema,
    response: bringUpStateSchema,
    status: 202,
  }),
  cancelBringUp: defineRoute({
    method: 'DELETE',
    path: '/api/serial/sessions/:id/bring-up',
    tag,
    summary: 'Stop a running bring-up flow (the step that waits fails as cancelled)',
    params: sessionParams,
    response: bringUpStateSchema,
  }),
  stopVirtualModule: defineRoute({
    method: 'DELETE',
    path: '/api/serial/virtual-modules/:moduleId',
    tag,
    summary: 'Stop a virtual module and remove its pty pair',
    params: z.object({ moduleId: z.string() }),
    response: z.object({ stopped: z.literal(true) }),
  }),
} as const;
