// Commands to devices: cached and immediate delivery, every state stored, cancel tasks and batch commands.
import { z } from 'zod';
import { defineRoute } from './define.js';

/** The platform's command states (§1.7); FAILED is the platform's spelling of a failed result. */
export const commandStatuses = [
  'PENDING',
  'EXPIRED',
  'CANCELED',
  'SENT',
  'TIMEOUT',
  'DELIVERED',
  'SUCCESSFUL',
  'FAILED',
] as const;
export type CommandStatus = (typeof commandStatuses)[number];

/** States a command does not leave. DELIVERED is not final: the device's answer may still come. */
export const finalCommandStatuses: readonly CommandStatus[] = [
  'EXPIRED',
  'CANCELED',
  'TIMEOUT',
  'SUCCESSFUL',
  'FAILED',
];

/**
 * `command`: a model command (legacy cloudReq, IoTDA sys/commands, LwM2M codec bytes to /19/1/0);
 * `propertiesSet` / `propertiesGet`: IoTDA sys/properties/set|get; `message`: IoTDA sys/messages/down.
 */
export const commandKinds = ['command', 'propertiesSet', 'propertiesGet', 'message'] as const;
export type CommandKind = (typeof commandKinds)[number];

export const DEFAULT_EXPIRE_TIME_S = 172_800;
export const MAX_RETRANSMIT = 3;

/** Seconds a cached command may wait for its device (0 = send now); at most 30 days. */
export const expireTimeSchema = z
  .number()
  .int()
  .min(0)
  .max(30 * 86_400);
export const maxRetransmitSchema = z.number().int().min(0).max(MAX_RETRANSMIT);

export const commandResultSchema = z.object({
  /** 0 = success (legacy errcode, IoTDA result_code), else the device's code; absent when no answer came. */
  resultCode: z.number().int().optional(),
  responseName: z.string().optional(),
  /** The device's answer (paras / body); for a property get: `{services}`. */
  body: z.record(z.string(), z.unknown()).optional(),
  /** English reason when the platform ended it (not reachable, no ACK, refused by the device, canceled). */
  reason: z.string().optional(),
});
export type CommandResult = z.infer<typeof commandResultSchema>;

export const deviceCommandSchema = z.object({
  commandId: z.string(),
  deviceId: z.string(),
  kind: z.enum(commandKinds),
  serviceId: z.string(),
  method: z.string(),
  paras: z.record(z.string(), z.unknown()),
  expireTime: z.number().int(),
  maxRetransmit: z.number().int(),
  callbackUrl: z.string().optional(),
  status: z.enum(commandStatuses),
  result: commandResultSchema.optional(),
  /** The 2-byte id of the command on the wire (codec / legacy MQTT), once sent. */
  mid: z.number().int().optional(),
  /** The IoTDA request_id of the command topic, once sent. */
  requestId: z.string().optional(),
  createdAt: z.number(),
  sentAt: z.number().optional(),
  deliveredAt: z.number().optional(),
  finishedAt: z.number().optional(),
  issuedTimes: z.number().int(),
});
export type DeviceCommand = z.infer<typeof deviceCommandSchema>;

export const commandTransitionSchema = z.object({
  at: z.number(),
  status: z.enum(commandStatuses),
  /** English reason (why it failed or ended). */
  reason: z.string().optional(),
  /** SENT: which attempt this is (1 = first; more after TIMEOUT with maxRetransmit). */
  attempt: z.number().int().optional(),
  /** DELIVERED: the device's answer arrived before its ACK was handled, and counts as the ACK. */
  answerBeforeAck: z.boolean().optional(),
  protocol: z.enum(['mqtt', 'lwm2m']).optional(),
  topic: z.string().optional(),
  /** The downlink as sent, hex; with `codec` when a codec made the bytes from the command's JSON. */
  bytesHex: z.string().optional(),
  codec: z.boolean().optional(),
});
export type CommandTransition = z.infer<typeof commandTransitionSchema>;

const paras = z.record(z.string(), z.unknown()).default({});
export const createCommandBodySchema = z.object({
  kind: z.enum(commandKinds).default('command'),
  serviceId: z.string().min(1).max(64),
  /** The model's command name; for a message: its `name` (optional). */
  method: z.string().max(128).default(''),
  paras,
  expireTime: expireTimeSchema.default(DEFAULT_EXPIRE_TIME_S),
  maxRetransmit: maxRetransmitSchema.default(0),
  callbackUrl: z
    .url({ protocol: /^https?$/ })
    .max(1024)
    .optional(),
  /** Messages only: `paras.content` is sent as the payload itself, without the platform's envelope. */
  raw: z.boolean().default(false),
});
export type CreateCommandBody = z.input<typeof createCommandBodySchema>;
export type CreateCommandInput = z.output<typeof createCommandBodySchema>;

export const commandQuerySchema = z.object({
  deviceId: z.string().max(160).optional(),
  status: z.enum(commandStatuses).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  pageNo: z.coerce.number().int().min(0).default(0),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type CommandQuery = z.output<typeof commandQuerySchema>;

export const cancelTaskSchema = z.object({
  taskId: z.string(),
  deviceId: z.string(),
  /** Cancel-all runs at once: the task is done when it is answered. */
  status: z.enum(['SUCCESS']),
  totalCount: z.number().int(),
  createdAt: z.number(),
  commands: z.array(deviceCommandSchema),
});
export type CancelTask = z.infer<typeof cancelTaskSchema>;

/** A product, a list, a group (with its subgroups unless `descendants` is false) or a tag; resolved at creation. */
export const commandBatchTargetSchema = z.union([
  z.object({ productId: z.string().min(1).max(64) }),
  z.object({ deviceIds: z.array(z.string().min(1).max(160)).min(1).max(10_000) }),
  z.object({ groupId: z.string().min(1).max(64), descendants: z.boolean().optional() }),
  z.object({ tagId: z.string().min(1).max(64) }),
]);
export type CommandBatchTarget = z.infer<typeof commandBatchTargetSchema>;

export const commandBatchItemSchema = z.object({
  deviceId: z.string(),
  commandId: z.string().optional(),
  status: z.enum(commandStatuses).optional(),
  /** Why no command was made for this device (unknown device, bad paras for its product). */
  error: z.string().optional(),
});

export const commandBatchSchema = z.object({
  taskId: z.string(),
  /** What the batch was sent to, as given; `items` are the devices it named when the task started. */
  target: commandBatchTargetSchema,
  /** Set for batch tasks made through the northbound batch task API. */
  taskName: z.string().optional(),
  appId: z.string().optional(),
  serviceId: z.string(),
  method: z.string(),
  createdAt: z.number(),
  status: z.enum(['Processing', 'Done']),
  total: z.number().int(),
  /** Devices whose command reached a final state (or DELIVERED), or that got none. */
  completed: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  progress: z.number().min(0).max(1),
  items: z.array(commandBatchItemSchema),
});
export type CommandBatch = z.infer<typeof commandBatchSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(160) });
const commandParams = z.object({ commandId: z.string().min(1).max(64) });

export const commandRoutes = {
  createCommand: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/device-commands',
    tag: 'commands',
    summary:
      'Create a command: expireTime 0 sends it now (FAILED when the device is not reachable); otherwise it waits (PENDING) for the device',
    params: deviceParams,
    body: createCommandBodySchema,
    response: deviceCommandSchema,
    status: 201,
  }),
  listCommands: defineRoute({
    method: 'GET',
    path: '/api/device-commands',
    tag: 'commands',
    summary: 'Commands by device, state and creation time (ms), newest first, paged',
    query: commandQuerySchema,
    response: z.object({ total: z.number().int(), items: z.array(deviceCommandSchema) }),
  }),
  getCommand: defineRoute({
    method: 'GET',
    path: '/api/device-commands/:commandId',
    tag: 'commands',
    summary: 'One command and every state it went through',
    params: commandParams,
    response: z.object({ command: deviceCommandSchema, transitions: z.array(commandTransitionSchema) }),
  }),
  cancelCommand: defineRoute({
    method: 'POST',
    path: '/api/device-commands/:commandId/cancel',
    tag: 'commands',
    summary: 'Cancel a PENDING command',
    params: commandParams,
    response: deviceCommandSchema,
  }),
  resendCommand: defineRoute({
    method: 'POST',
    path: '/api/device-commands/:commandId/resend',
    tag: 'commands',
    summary: 'Create the same command again (a new command)',
    params: commandParams,
    response: deviceCommandSchema,
    status: 201,
  }),
  cancelAllCommands: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/device-commands/cancel-all',
    tag: 'commands',
    summary: 'Cancel every PENDING command of a device, as a cancel task',
    params: deviceParams,
    response: cancelTaskSchema,
    status: 201,
  }),
  listCancelTasks: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/command-cancel-tasks',
    tag: 'commands',
    summary: 'Cancel tasks of a device, newest first',
    params: deviceParams,
    response: z.object({ tasks: z.array(cancelTaskSchema) }),
  }),
  createCommandBatch: defineRoute({
    method: 'POST',
    path: '/api/command-batches',
    tag: 'commands',
    summary: 'Send one command to every device of a product, a group, a tag or a list, as a task',
    body: z.object({
      target: commandBatchTargetSchema,
      serviceId: z.string().min(1).max(64),
      method: z.string().min(1).max(128),
      paras,
      expireTime: expireTimeSchema.default(DEFAULT_EXPIRE_TIME_S),
      maxRetransmit: maxRetransmitSchema.default(0),
    }),
    response: commandBatchSchema,
    status: 201,
  }),
  getCommandBatch: defineRoute({
    method: 'GET',
    path: '/api/command-batches/:taskId',
    tag: 'commands',
    summary: 'A batch command task: progress and the result per device',
    params: z.object({ taskId: z.string().min(1).max(64) }),
    response: commandBatchSchema,
  }),
  sendDeviceCommand: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/commands',
    tag: 'commands',
    summary:
      "Send a command now (expireTime 0) and wait for the device's answer (mid / request_id) at most timeoutMs; the command stays stored",
    params: deviceParams,
    body: z.object({
      serviceId: z.string().min(1).max(64),
      commandName: z.string().min(1).max(64),
      paras: z.record(z.string(), z.unknown()).default({}),
      timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    }),
    response: z.object({
      sent: z.boolean(),
      /** The id the command went out with: its mid (legacy MQTT, codecs) or its request_id (IoTDA). */
      commandId: z.string().optional(),
      topic: z.string().optional(),
      /** Absent when the device did not answer in time. */
      response: z
        .object({
          resultCode: z.number().int(),
          responseName: z.string().optional(),
          body: z.record(z.string(), z.unknown()),
        })
        .optional(),
    }),
  }),
} as const;
