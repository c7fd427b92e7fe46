// The platform's northbound rule DTOs (§1.14, `RuleDTO2` of the Java SDK) as application servers send them: every
// optional field may be absent or null. Shapes the SDK does not show are the workbench's choice (docs/northbound-rules.md).
import { z } from 'zod';
import { alarmLevels } from './rules.js';

const text = (max: number) => z.string().max(max);
const optionalText = (max: number) => text(max).nullish();
const deviceId = text(160).min(1);
const serviceId = text(64).min(1);
/** `serviceId/propertyName`, as the SDK's `CondiotionDeviceInfo.path`. */
const propertyPath = z
  .string()
  .max(129)
  .regex(/^[^/\s]{1,64}\/[^/\s]{1,64}$/, 'path must be serviceId/propertyName');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day must be HH:mm');
/** Days as the platform writes them: "1,2,3" (1 = Sunday … 7 = Saturday); a JSON array of numbers is accepted too. */
const daysOfWeek = z
  .union([
    z.string().regex(/^\s*[1-7](\s*,\s*[1-7])*\s*$/, 'daysOfWeek must be a comma-separated list of 1-7'),
    z.array(z.number().int().min(1).max(7)).min(1).max(7),
  ])
  .nullish();

/** The platform's status words; any case is accepted, `active` and `inactive` are answered. */
export const northboundRuleStatusSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['active', 'inactive'], { error: 'status must be ACTIVE or INACTIVE' }));
export type NorthboundRuleStatus = z.output<typeof northboundRuleStatusSchema>;

export const northboundRuleOperators = [
  '>',
  '>=',
  '<',
  '<=',
  '=',
  '==',
  '!=',
  'between',
  'contains',
  'changed',
] as const;

const strategySchema = z
  .object({
    /** `pulse` or `reverse`; the workbench fires once when a condition comes to hold, whatever is sent. */
    trigger: optionalText(32),
    /** Data validity in seconds: older reports are ignored. */
    eValidTime: z.number().int().min(1).max(86_400).nullish(),
    eventTimeout: z.number().int().nullish(),
  })
  .nullish();

const dataConditionFields = {
  id: optionalText(64),
  operator: z.enum(northboundRuleOperators, { error: `operator must be one of ${northboundRuleOperators.join(' ')}` }),
  /** A number or text; `between` takes "low,high"; `changed` takes none. */
  value: z.union([text(256), z.number()]).nullish(),
  transInfo: z.unknown().optional(),
  /** Delayed trigger in minutes: the condition must hold this long. */
  duration: z.number().int().min(0).max(1440).nullish(),
  strategy: strategySchema,
};

const timeRangeSchema = z.object({
  startTime: hhmm,
  endTime: hhmm,
  daysOfWeek,
});
export type NorthboundTimeRange = z.infer<typeof timeRangeSchema>;

export const northboundRuleConditionSchema = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('DEVICE_DATA'),
      deviceInfo: z.object({ deviceId, path: propertyPath }),
      ...dataConditionFields,
    }),
    z.object({
      type: z.literal('DEVICE_TYPE_DATA'),
      /** The product by its id, or by the platform's identity (manufacturerId, deviceType, model, …). */
      deviceTypeInfo: z.object({
        productId: optionalText(160),
        manufacturerId: optionalText(64),
        manufacturerName: optionalText(64),
        deviceType: optionalText(64),
        model: optionalText(64),
        protocolType: optionalText(16),
        path: propertyPath,
      }),
      ...dataConditionFields,
    }),
    /** The workbench's own: every device of a group (and of the groups under it). */
    z.object({
      type: z.literal('DEVICE_GROUP_DATA'),
      groupInfo: z.object({ groupId: text(160).min(1), path: propertyPath }),
      ...dataConditionFields,
    }),
    z.object({
      type: z.literal('DAILY_TIMER'),
      id: optionalText(64),
      time: hhmm,
      daysOfWeek,
      /** The workbench's own: the exact first firing (yyyyMMdd'T'HHmmss'Z') and count, echoed on rules it lists. */
      startTime: optionalText(32),
      repeat: z.number().int().min(1).max(1440).nullish(),
    }),
    z.object({
      type: z.literal('CYCLE_TIMER'),
      id: optionalText(64),
      timeRange: timeRangeSchema,
      /** Minutes between firings. */
      interval: z.number().int().min(1).max(1440),
      startTime: optionalText(32),
      repeat: z.number().int().min(1).max(1440).nullish(),
    }),
  ],
  { error: 'type must be DEVICE_DATA, DEVICE_TYPE_DATA, DEVICE_GROUP_DATA, DAILY_TIMER or CYCLE_TIMER' },
);
export type NorthboundRuleCondition = z.infer<typeof northboundRuleConditionSchema>;

const alarmLevel = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(alarmLevels, { error: `must be one of ${alarmLevels.join(', ')}` }));

export const northboundRuleActionSchema = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('DEVICE_CMD'),
      id: optionalText(64),
      appKey: optionalText(64),
      deviceId,
      cmd: z.object({
        /** The command's name (method). */
        messageType: text(128).min(1),
        messageBody: z.record(z.string(), z.unknown()).nullish(),
        serviceId,
      }),
      cmdVersion: optionalText(32),
      /** The workbench reads `expireTime` (seconds) and `callbackUrl` here, as a §1.7 command takes them. */
      cmdMetaData: z
        .object({
          expireTime: z.number().int().min(0).max(2_592_000).nullish(),
          callbackUrl: z
            .url({ protocol: /^https?$/ })
            .max(1024)
            .nullish(),
        })
        .nullish(),
      transInfo: z.unknown().optional(),
      deviceCommandActionPreProcessors: z.unknown().optional(),
    }),
    z.object({
      type: z.literal('DEVICE_ALARM'),
      id: optionalText(64),
      name: text(128).min(1),
      severity: alarmLevel,
      description: optionalText(1024),
      status: optionalText(32),
    }),
    z.object({
      type: z.literal('ALARM'),
      id: optionalText(64),
      name: text(128).min(1),
      level: alarmLevel,
      content: optionalText(1024),
    }),
    /** The workbench's own: the ruleEvent push to the app's subscribers (added to every rule made here). */
    z.object({ type: z.literal('NOTIFY'), id: optionalText(64), content: optionalText(1024) }),
    // Parsed so the refusal names them; the workbench sends no SMS or e-mail.
    z.object({ type: z.literal('SMS') }).loose(),
    z.object({ type: z.literal('EMAIL') }).loose(),
  ],
  { error: 'type must be DEVICE_CMD, DEVICE_ALARM, ALARM or NOTIFY' },
);
export type NorthboundRuleAction = z.infer<typeof northboundRuleActionSchema>;

const passThrough = z.unknown().optional();

/** `RuleDTO2`: the body of create (POST) and update (PUT, with `ruleId`). */
export const northboundRuleSchema = z.object({
  ruleId: optionalText(64),
  appKey: optionalText(64),
  name: text(128).min(1),
  description: optionalText(512),
  author: optionalText(64),
  conditions: z.array(northboundRuleConditionSchema).min(1).max(10),
  logic: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['and', 'or'], { error: 'logic must be and or or' }))
    .nullish(),
  timeRange: timeRangeSchema.nullish(),
  actions: z.array(northboundRuleActionSchema).min(1).max(10),
  matchNow: z.union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'YES', 'NO', 'TRUE', 'FALSE'])]).nullish(),
  status: northboundRuleStatusSchema.nullish(),
  timezoneID: optionalText(64),
  // Accepted and not kept: the workbench has no equivalent (docs/northbound-rules.md).
  groupExpress: passThrough,
  triggerSources: passThrough,
  transData: passThrough,
  executor: passThrough,
  refreshId: passThrough,
  checkNullAction: passThrough,
  priority: passThrough,
  tags: passThrough,
  rulePreProcessors: passThrough,
});
export type NorthboundRuleBody = z.input<typeof northboundRuleSchema>;
export type NorthboundRuleParsed = z.output<typeof northboundRuleSchema>;

/** What GET answers for each rule. */
export interface NorthboundRuleDto {
  ruleId: string;
  appKey: string;
  name: string;
  description: string;
  author: string;
  conditions: Record<string, unknown>[];
  logic: 'and' | 'or';
  timeRange: { startTime: string; endTime: string; daysOfWeek: string } | null;
  actions: Record<string, unknown>[];
  matchNow: boolean;
  status: NorthboundRuleStatus;
  groupExpress: null;
  triggerSources: null;
  timezoneID: string | null;
  transData: null;
  executor: null;
  refreshId: null;
  checkNullAction: null;
  priority: null;
  tags: null;
  rulePreProcessors: null;
}

export const northboundRuleQuerySchema = z.object({
  appId: text(64).optional(),
  author: text(64).optional(),
  name: text(128).optional(),
  /** The workbench's own filter. */
  ruleId: text(64).optional(),
  select: text(64).optional(),
});

export const northboundRuleBatchStatusSchema = z.object({
  requests: z
    .array(z.object({ ruleId: text(64).min(1), status: northboundRuleStatusSchema }))
    .min(1)
    .max(100),
});

/** `result_code` "0" is success; otherwise the platform error code of the refusal. */
export interface NorthboundRuleResult {
  result_code: string;
  result_desc: string;
}
export interface NorthboundRuleBatchAnswer {
  result: NorthboundRuleResult;
  responses: { ruleId: string; status: NorthboundRuleStatus; result: NorthboundRuleResult }[];
}
