// The rule engine: linkage rules (conditions → actions), data forwarding to message systems and
// files, and the alarms rules raise.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const ruleOperators = ['>', '>=', '<', '<=', '==', '!=', 'between', 'contains', 'changed'] as const;
export type RuleOperator = (typeof ruleOperators)[number];

const id = z.string().min(1).max(160);
const scalar = z.union([z.string().max(256), z.number()]);

/** Which devices a property condition watches. */
export const conditionScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('device'), deviceId: id }),
  z.object({ kind: z.literal('product'), productId: id }),
  z.object({ kind: z.literal('group'), groupId: id }),
]);
export type ConditionScope = z.infer<typeof conditionScopeSchema>;

export const propertyConditionSchema = z
  .object({
    kind: z.literal('property'),
    scope: conditionScopeSchema,
    serviceId: z.string().min(1).max(64),
    property: z.string().min(1).max(64),
    operator: z.enum(ruleOperators),
    /** The value compared with; the lower bound for `between`; not used by `changed`. */
    value: scalar.optional(),
    /** The upper bound for `between`. */
    value2: scalar.optional(),
    /** Data validity: reports whose event time is older than this many seconds are ignored. */
    validitySeconds: z.number().int().min(1).max(86_400).optional(),
    /** Delayed trigger: the condition must hold this many minutes before it counts. */
    holdMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.operator !== 'changed' && c.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${c.operator} needs a value` });
    if (c.operator === 'between' && c.value2 === undefined)
      ctx.addIssue({ code: 'custom', path: ['value2'], message: 'between needs an upper bound' });
  });
export type PropertyCondition = z.infer<typeof propertyConditionSchema>;

export const timerConditionSchema = z.object({
  kind: z.literal('timer'),
  /** First firing, ISO time. */
  startTime: z.iso.datetime({ offset: true }),
  repeat: z.number().int().min(1).max(1440),
  everyMinutes: z.number().int().min(1).max(1440),
});
export type TimerCondition = z.infer<typeof timerConditionSchema>;

export const ruleConditionSchema = z.union([propertyConditionSchema, timerConditionSchema]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

export const alarmLevels = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmLevel = (typeof alarmLevels)[number];

export const ruleActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('command'),
    deviceId: id,
    serviceId: z.string().min(1).max(64),
    method: z.string().min(1).max(128),
    paras: z.record(z.string(), z.unknown()).default({}),
    expireTime: z.number().int().min(0).max(2_592_000).optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .max(1024)
      .optional(),
  }),
  z.object({ kind: z.literal('notify'), content: z.string().max(1024).default('') }),
  z.object({
    kind: z.literal('alarm'),
    level: z.enum(alarmLevels),
    name: z.string().min(1).max(128),
    content: z.string().max(1024).default(''),
  }),
]);
export type RuleAction = z.infer<typeof ruleActionSchema>;

/** Active always (absent) or in a window on some days, in a time zone. Days: 1 = Monday … 7 = Sunday. */
export const ruleTimeRangeSchema = z.object({
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  endTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  timezone: z.string().min(1).max(64).default('UTC'),
});
export type RuleTimeRange = z.infer<typeof ruleTimeRangeSchema>;

export const linkageRuleBodySchema = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(512).default(''),
  appId: id.optional(),
  logic: z.enum(['and', 'or']).default('and'),
  conditions: z.array(ruleConditionSchema).min(1).max(10),
  actions: z.array(ruleActionSchema).min(1).max(10),
  timeRange: ruleTimeRangeSchema.optional(),
  /** Trigger immediately: evaluate the last reported data when the rule is created or enabled. */
  matchNow: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type LinkageRuleBody = z.input<typeof linkageRuleBodySchema>;
export type LinkageRuleInput = z.output<typeof linkageRuleBodySchema>;

export const linkageRuleSchema = z.object({
  ruleId: z.string(),
  appId: z.string(),
  name: z.string(),
  description: z.string(),
  logic: z.enum(['and', 'or']),
  conditions: z.array(ruleConditionSchema),
  actions: z.array(ruleActionSchema),
  timeRange: ruleTimeRangeSchema.optional(),
  matchNow: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string(),
  firings: z.number().int(),
  lastFiredAt: z.string().optional(),
});
export type LinkageRule = z.infer<typeof linkageRuleSchema>;

/** One firing, shaped like the `ruleEvent` push (§1.11). */
export const ruleReasonSchema = z.object({
  satisfactionTime: z.string(),
  type: z.enum(['DEVICE', 'TIMER']),
  id: z.string(),
  info: z.record(z.string(), z.unknown()),
  transInfo: z.record(z.string(), z.unknown()).nullable(),
});
export const ruleActionResultSchema = z.object({
  type: z.enum(['DEVICE_CMD', 'NOTIFY', 'ALARM']),
  id: z.string(),
  exception: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  info: z.record(z.string(), z.unknown()),
  transInfo: z.record(z.string(), z.unknown()).nullable(),
});
export const ruleFiringSchema = z.object({
  firingId: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  appId: z.string(),
  deviceId: z.string().nullable(),
  logic: z.enum(['and', 'or']),
  triggerTime: z.string(),
  reasons: z.array(ruleReasonSchema),
  actionsResults: z.array(ruleActionResultSchema),
});
export type RuleFiring = z.infer<typeof ruleFiringSchema>;
export type RuleReason = z.infer<typeof ruleReasonSchema>;
export type RuleActionResult = z.infer<typeof ruleActionResultSchema>;

/** A past report that would have fired the rule (try against history). */
export const ruleTrialSchema = z.object({
  hits: z.array(z.object({ at: z.string(), deviceId: z.string(), reasons: z.array(ruleReasonSchema) })),
  reportsRead: z.number().int(),
});
export type RuleTrial = z.infer<typeof ruleTrialSchema>;

// ---- alarms

export const alarmStates = ['active', 'acknowledged', 'cleared'] as const;
export type AlarmState = (typeof alarmStates)[number];
export const alarmSchema = z.object({
  alarmId: z.string(),
  appId: z.string(),
  deviceId: z.string().nullable(),
  ruleId: z.string().nullable(),
  level: z.enum(alarmLevels),
  name: z.string(),
  content: z.string(),
  firstAt: z.string(),
  lastAt: z.string(),
  count: z.number().int(),
  state: z.enum(alarmStates),
  clearedAt: z.string().optional(),
  /** `rule` when the rule's conditions stopped holding, `user` when someone cleared it. */
  clearedBy: z.enum(['rule', 'user']).optional(),
});
export type Alarm = z.infer<typeof alarmSchema>;
export const alarmQuerySchema = z.object({
  appId: z.string().max(160).optional(),
  deviceId: z.string().max(160).optional(),
  level: z.enum(alarmLevels).optional(),
  state: z.enum(alarmStates).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlarmQuery = z.output<typeof alarmQuerySchema>;

// ---- forwarding

const templateString = z.string().min(1).max(256);
const tlsSchema = z
  .object({
    /** PEM CA certificate(s) to verify the server with; the system store when absent. */
    ca: z.string().max(65_536).optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .optional();

export const targetConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }).max(1024),
    headers: z.record(z.string().max(128), z.string().max(1024)).default({}),
    tls: tlsSchema,
  }),
  z.object({
    kind: z.literal('mqtt'),
    url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, 'mqtt:// or mqtts:// URL'),
    /** `{appId}`, `{deviceId}`, `{serviceId}`, `{type}` are replaced per message. */
    topic: templateString.default('iotwb/{appId}/{deviceId}'),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    username: z.string().max(256).optional(),
    password: z.string().max(256).optional(),
    clientId: z.string().max(128).optional(),
    tls: tlsSchema,
  }),
  z.object({
    kind: z.literal('file'),
    /** Folder for the JSON-lines files; under the platform's data folder when relative. */
    dir: z.string().min(1).max(1024),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(10 * 1024 * 1024),
    maxAgeMinutes: z.number().int().min(1).max(10_080).default(60),
  }),
  z.object({
    kind: z.literal('amqp'),
    url: z.string().regex(/^amqps?:\/\/[^\s]+$/, 'amqp:// or amqps:// URL'),
    /** '' is the default exchange (the routing key names a queue). */
    exchange: z.string().max(255).default(''),
    routingKey: templateString.default('iotwb.{appId}.{deviceId}'),
    /** Declared durable when given (so messages routed to it wait for a consumer). */
    queue: z.string().max(255).optional(),
    tls: tlsSchema,
  }),
  z.object({
    kind: z.literal('kafka'),
    brokers: z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port'))
      .min(1)
      .max(16),
    topic: templateString.default('iotwb-data'),
    clientId: z.string().max(128).default('iot-workbench'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().max(256),
        password: z.string().max(256),
      })
      .optional(),
    tls: tlsSchema,
  }),
]);
export type TargetConfig = z.infer<typeof targetConfigSchema>;
export type TargetKind = TargetConfig['kind'];

export const targetBodySchema = z.object({
  name: z.string().min(1).max(128),
  config: targetConfigSchema,
  /** Messages kept while the target is down; the oldest are dropped beyond it. */
  maxBacklog: z.number().int().min(10).max(10_000_000).default(100_000),
});
export type TargetBody = z.input<typeof targetBodySchema>;

export const targetStateSchema = z.object({
  connected: z.boolean(),
  backlog: z.number().int(),
  drops: z.number().int(),
  sent: z.number().int(),
  sentPerSecond: z.number(),
  lastError: z.string().optional(),
  lastErrorAt: z.string().optional(),
  lastSentAt: z.string().optional(),
});
export type TargetState = z.infer<typeof targetStateSchema>;

export const forwardTargetSchema = z.object({
  targetId: z.string(),
  name: z.string(),
  config: targetConfigSchema,
  maxBacklog: z.number().int(),
  createdAt: z.string(),
  state: targetStateSchema,
});
export type ForwardTarget = z.infer<typeof forwardTargetSchema>;

export const forwardSources = ['data', 'deviceInfo'] as const;
export const forwardFilterSchema = z.object({
  deviceId: id.optional(),
  serviceId: z.string().min(1).max(64).optional(),
  property: z.string().min(1).max(64).optional(),
  operator: z.enum(ruleOperators).exclude(['changed']).optional(),
  value: scalar.optional(),
  value2: scalar.optional(),
});
export type ForwardFilter = z.infer<typeof forwardFilterSchema>;

export const forwardRuleBodySchema = z.object({
  name: z.string().min(1).max(128),
  appId: id.optional(),
  source: z.enum(forwardSources).default('data'),
  filter: forwardFilterSchema.default({}),
  targetIds: z.array(z.string().min(1).max(64)).min(1).max(16),
  enabled: z.boolean().default(true),
});
export type ForwardRuleBody = z.input<typeof forwardRuleBodySchema>;
export type ForwardRuleInput = z.output<typeof forwardRuleBodySchema>;

export const forwardRuleSchema = z.object({
  ruleId: z.string(),
  appId: z.string(),
  name: z.string(),
  source: z.enum(forwardSources),
  filter: forwardFilterSchema,
  targetIds: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type ForwardRule = z.infer<typeof forwardRuleSchema>;

/** What a target receives (one JSON document per message). */
export interface ForwardMessage {
  type: 'data' | 'deviceInfo';
  appId: string;
  deviceId: string;
  ruleId: string;
  at: string;
  serviceId?: string;
  data?: Record<string, unknown>;
  eventTime?: string;
  event?: string;
  deviceInfo?: Record<string, unknown>;
}

// ---- routes

const ruleParams = z.object({ ruleId: z.string().min(1).max(64) });
const enabledBody = z.object({ enabled: z.boolean() });
const appQuery = z.object({ appId: z.string().max(160).optional() });

export const ruleRoutes = {
  listLinkageRules: defineRoute({
    method: 'GET',
    path: '/api/rules/linkage',
    tag: 'rules',
    summary: 'Linkage rules',
    query: appQuery,
    response: z.object({ rules: z.array(linkageRuleSchema) }),
  }),
  createLinkageRule: defineRoute({
    method: 'POST',
    path: '/api/rules/linkage',
    tag: 'rules',
    summary: 'Create a linkage rule (an alarm action cannot be combined with a time condition)',
    body: linkageRuleBodySchema,
    response: linkageRuleSchema,
    status: 201,
  }),
  updateLinkageRule: defineRoute({
    method: 'PUT',
    path: '/api/rules/linkage/:ruleId',
    tag: 'rules',
    summary: 'Replace a linkage rule',
    params: ruleParams,
    body: linkageRuleBodySchema,
    response: linkageRuleSchema,
  }),
  enableLinkageRule: defineRoute({
    method: 'PUT',
    path: '/api/rules/linkage/:ruleId/enabled',
    tag: 'rules',
    summary: 'Enable or disable a linkage rule',
    params: ruleParams,
    body: enabledBody,
    response: linkageRuleSchema,
  }),
  deleteLinkageRule: defineRoute({
    method: 'DELETE',
    path: '/api/rules/linkage/:ruleId',
    tag: 'rules',
    summary: 'Delete a linkage rule',
    params: ruleParams,
    response: z.object({ deleted: z.boolean() }),
  }),
  listRuleFirings: defineRoute({
    method: 'GET',
    path: '/api/rules/firings',
    tag: 'rules',
    summary: 'Recent rule firings with reasons and action results, newest first',
    query: z.object({
      ruleId: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: z.object({ firings: z.array(ruleFiringSchema) }),
  }),
  tryLinkageRule: defineRoute({
    method: 'POST',
    path: '/api/rules/linkage/try',
    tag: 'rules',
    summary: 'Which recorded reports would have fired this rule, and when (nothing is executed)',
    body: linkageRuleBodySchema,
    response: ruleTrialSchema,
  }),
  listAlarms: defineRoute({
    method: 'GET',
    path: '/api/alarms',
    tag: 'rules',
    summary: 'Alarms, newest first, filtered by app, device, level and state',
    query: alarmQuerySchema,
    response: z.object({ alarms: z.array(alarmSchema) }),
  }),
  acknowledgeAlarm: defineRoute({
    method: 'POST',
    path: '/api/alarms/:alarmId/acknowledge',
    tag: 'rules',
    summary: 'Acknowledge an active alarm',
    params: z.object({ alarmId: z.string().min(1).max(64) }),
    response: alarmSchema,
  }),
  clearAlarm: defineRoute({
    method: 'POST',
    path: '/api/alarms/:alarmId/clear',
    tag: 'rules',
    summary: 'Clear an alarm',
    params: z.object({ alarmId: z.string().min(1).max(64) }),
    response: alarmSchema,
  }),
  listTargets: defineRoute({
    method: 'GET',
    path: '/api/rules/targets',
    tag: 'rules',
    summary: 'Forwarding targets with their live state (connected, backlog, drops, last error, sent/s)',
    response: z.object({ targets: z.array(forwardTargetSchema) }),
  }),
  createTarget: defineRoute({
    method: 'POST',
    path: '/api/rules/targets',
    tag: 'rules',
    summary: 'Add a forwarding target: HTTP(S) webhook, MQTT broker, file sink, AMQP 0-9-1 or Kafka',
    body: targetBodySchema,
    response: forwardTargetSchema,
    status: 201,
  }),
  deleteTarget: defineRoute({
    method: 'DELETE',
    path: '/api/rules/targets/:targetId',
    tag: 'rules',
    summary: 'Delete a forwarding target and its backlog (refused while a forwarding rule uses it)',
    params: z.object({ targetId: z.string().min(1).max(64) }),
    response: z.object({ deleted: z.boolean() }),
  }),
  listForwardRules: defineRoute({
    method: 'GET',
    path: '/api/rules/forwarding',
    tag: 'rules',
    summary: 'Data forwarding rules',
    query: appQuery,
    response: z.object({ rules: z.array(forwardRuleSchema) }),
  }),
  createForwardRule: defineRoute({
    method: 'POST',
    path: '/api/rules/forwarding',
    tag: 'rules',
    summary: 'Forward reported data or device info (optionally filtered) to targets',
    body: forwardRuleBodySchema,
    response: forwardRuleSchema,
    status: 201,
  }),
  enableForwardRule: defineRoute({
    method: 'PUT',
    path: '/api/rules/forwarding/:ruleId/enabled',
    tag: 'rules',
    summary: 'Enable or disable a forwarding rule',
    params: ruleParams,
    body: enabledBody,
    response: forwardRuleSchema,
  }),
  deleteForwardRule: defineRoute({
    method: 'DELETE',
    path: '/api/rules/forwarding/:ruleId',
    tag: 'rules',
    summary: 'Delete a forwarding rule',
    params: ruleParams,
    response: z.object({ deleted: z.boolean() }),
  }),
} as const;
