// The platform's rule DTO (§1.14) to the workbench's linkage rule and back, pure: what cannot be said in the other
// shape is refused with the field it came from, never guessed. Mapping choices are in docs/northbound-rules.md.
import {
  northboundRuleSchema,
  type NorthboundRuleDto,
  type NorthboundRuleParsed,
  type NorthboundRuleStatus,
  type NorthboundTimeRange,
} from '../contract/northbound-rules.js';
import {
  linkageRuleBodySchema,
  type LinkageRule,
  type LinkageRuleInput,
  type RuleAction,
  type RuleCondition,
  type RuleTimeRange,
} from '../contract/rules.js';
import { formatNorthboundTime, parseNorthboundTime } from './northbound-time.js';

export interface ProductIdentity {
  manufacturerId?: string;
  manufacturerName?: string;
  deviceType?: string;
  model: string;
  protocolType?: string;
}

export interface RuleDtoContext {
  /** Now, for the first firing of a daily or cycle timer. */
  now: number;
  /** The product a DEVICE_TYPE_DATA condition names by the platform's identity instead of productId. */
  productOf(identity: ProductIdentity): string | undefined;
}

export type RuleFromDto =
  | { ok: true; ruleId?: string; input: LinkageRuleInput; status?: NorthboundRuleStatus }
  | { ok: false; path: string; message: string };

class DtoRefusal extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
/** Platform day 1 is Sunday; the workbench's day 7 is. */
const toOurDay = (platformDay: number) => (platformDay === 1 ? 7 : platformDay - 1);
const toPlatformDay = (ourDay: number) => (ourDay === 7 ? 1 : ourDay + 1);

function ourDays(days: string | number[] | null | undefined): number[] {
  if (days === null || days === undefined) return ALL_DAYS;
  const list = typeof days === 'string' ? days.split(',').map((d) => Number(d.trim())) : days;
  return [...new Set(list.map(toOurDay))].sort((a, b) => a - b);
}

const platformDays = (days: readonly number[]) =>
  [...days]
    .map(toPlatformDay)
    .sort((a, b) => a - b)
    .join(',');

function localMinutes(ms: number, timezone: string): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(ms));
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return part('hour') * 60 + part('minute');
  } catch {
    return undefined;
  }
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmmOf = (minutes: number) => {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** The next start of the minute `hhmm` (local to `timezone`) at or after `now`. */
function nextLocalTime(hhmm: string, timezone: string, now: number, path: string): number {
  const local = localMinutes(now, timezone);
  if (local === undefined) throw new DtoRefusal('body.timezoneID', `unknown time zone ${timezone}`);
  const minuteStart = now - (now % 60_000);
  const delta = (minutesOf(hhmm) - local + 1440) % 1440;
  const at = minuteStart + delta * 60_000;
  if (!Number.isFinite(at)) throw new DtoRefusal(path, `no next ${hhmm}`);
  return at;
}

function explicitStart(value: string | null | undefined, path: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const at = parseNorthboundTime(value);
  if (typeof at === 'object') throw new DtoRefusal(path, at.error);
  return at;
}

function ourTimeRange(range: NorthboundTimeRange, timezone: string): RuleTimeRange {
  return { startTime: range.startTime, endTime: range.endTime, daysOfWeek: ourDays(range.daysOfWeek), timezone };
}

type DtoCondition = NorthboundRuleParsed['conditions'][number];
type DataCondition = Extract<DtoCondition, { type: 'DEVICE_DATA' | 'DEVICE_TYPE_DATA' | 'DEVICE_GROUP_DATA' }>;

function propertyCondition(
  c: DataCondition,
  scope: Extract<RuleCondition, { kind: 'property' }>['scope'],
  path: string,
  at: string,
): RuleCondition {
  const [serviceId = '', property = ''] = path.split('/');
  const operator = c.operator === '=' ? '==' : c.operator;
  let value: string | number | undefined;
  let value2: string | number | undefined;
  if (operator === 'between') {
    const bounds = typeof c.value === 'string' ? c.value.split(',') : [];
    if (bounds.length !== 2 || bounds.some((b) => b.trim() === ''))
      throw new DtoRefusal(`${at}.value`, 'between takes "low,high"');
    [value, value2] = bounds.map((b) => b.trim());
  } else if (operator !== 'changed') {
    if (c.value === null || c.value === undefined)
      throw new DtoRefusal(`${at}.value`, `operator ${c.operator} needs a value`);
    value = c.value;
  }
  return {
    kind: 'property',
    scope,
    serviceId,
    property,
    operator,
    ...(value !== undefined ? { value } : {}),
    ...(value2 !== undefined ? { value2 } : {}),
    ...(c.strategy?.eValidTime ? { validitySeconds: c.strategy.eValidTime } : {}),
    ...(c.duration ? { holdMinutes: c.duration } : {}),
  };
}

function conditionsOf(dto: NorthboundRuleParsed, timezone: string, context: RuleDtoContext) {
  let window: RuleTimeRange | undefined = dto.timeRange ? ourTimeRange(dto.timeRange, timezone) : undefined;
  const conditions = dto.conditions.map((c, i): RuleCondition => {
    const at = `body.conditions.${i}`;
    switch (c.type) {
      case 'DEVICE_DATA':
        return propertyCondition(c, { kind: 'device', deviceId: c.deviceInfo.deviceId }, c.deviceInfo.path, at);
      case 'DEVICE_GROUP_DATA':
        return propertyCondition(c, { kind: 'group', groupId: c.groupInfo.groupId }, c.groupInfo.path, at);
      case 'DEVICE_TYPE_DATA': {
        const info = c.deviceTypeInfo;
        let productId = info.productId ?? undefined;
        if (!productId) {
          if (!info.model)
            throw new DtoRefusal(`${at}.deviceTypeInfo`, 'name the product by productId or by deviceType and model');
          productId = context.productOf({
            model: info.model,
            ...(info.manufacturerId ? { manufacturerId: info.manufacturerId } : {}),
            ...(info.manufacturerName ? { manufacturerName: info.manufacturerName } : {}),
            ...(info.deviceType ? { deviceType: info.deviceType } : {}),
            ...(info.protocolType ? { protocolType: info.protocolType } : {}),
          });
          if (!productId)
            throw new DtoRefusal(`${at}.deviceTypeInfo`, `no product has the model ${info.model} with this identity`);
        }
        return propertyCondition(c, { kind: 'product', productId }, info.path, at);
      }
      case 'DAILY_TIMER': {
        const start =
          explicitStart(c.startTime, `${at}.startTime`) ?? nextLocalTime(c.time, timezone, context.now, `${at}.time`);
        const days = ourDays(c.daysOfWeek);
        // Only some days: the rule is active on those whole days (unless the rule has its own window).
        if (days.length < 7 && !window) window = { startTime: '00:00', endTime: '23:59', daysOfWeek: days, timezone };
        return {
          kind: 'timer',
          startTime: new Date(start).toISOString(),
          everyMinutes: 1440,
          repeat: c.repeat ?? 1440,
        };
      }
      case 'CYCLE_TIMER': {
        const exact = explicitStart(c.startTime, `${at}.startTime`);
        const start = exact ?? nextLocalTime(c.timeRange.startTime, timezone, context.now, `${at}.timeRange.startTime`);
        // The cycle runs inside its window: that is the rule's window unless the rule has its own. A timer the
        // workbench listed (exact startTime and repeat) already says when it fires.
        if (exact === undefined) window ??= ourTimeRange(c.timeRange, timezone);
        return {
          kind: 'timer',
          startTime: new Date(start).toISOString(),
          everyMinutes: c.interval,
          repeat: c.repeat ?? 1440,
        };
      }
    }
  });
  return { conditions, window };
}

function actionsOf(dto: NorthboundRuleParsed): RuleAction[] {
  const actions = dto.actions.map((a, i): RuleAction => {
    const at = `body.actions.${i}`;
    switch (a.type) {
      case 'DEVICE_CMD':
        return {
          kind: 'command',
          deviceId: a.deviceId,
          serviceId: a.cmd.serviceId,
          method: a.cmd.messageType,
          paras: a.cmd.messageBody ?? {},
          ...(typeof a.cmdMetaData?.expireTime === 'number' ? { expireTime: a.cmdMetaData.expireTime } : {}),
          ...(a.cmdMetaData?.callbackUrl ? { callbackUrl: a.cmdMetaData.callbackUrl } : {}),
        };
      case 'DEVICE_ALARM':
        return { kind: 'alarm', level: a.severity, name: a.name, content: a.description ?? '' };
      case 'ALARM':
        return { kind: 'alarm', level: a.level, name: a.name, content: a.content ?? '' };
      case 'NOTIFY':
        return { kind: 'notify', content: a.content ?? '' };
      case 'SMS':
      case 'EMAIL':
        throw new DtoRefusal(
          `${at}.type`,
          `${a.type} actions are not supported: the workbench sends no SMS or e-mail (NOTIFY pushes a ruleEvent)`,
        );
    }
  });
  // The platform pushes ruleEvent to the app's subscribers whenever its rule fires: here that is a notify action.
  if (!actions.some((a) => a.kind === 'notify')) actions.push({ kind: 'notify', content: '' });
  return actions;
}

const truthy = (v: NorthboundRuleParsed['matchNow']) =>
  v === true || (typeof v === 'string' && ['yes', 'true'].includes(v.toLowerCase()));

/** A RuleDTO2 body as a linkage rule's input; never throws. */
export function ruleFromDto(raw: unknown, context: RuleDtoContext): RuleFromDto {
  const parsed = northboundRuleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      path: ['body', ...(issue?.path ?? []).map(String)].join('.'),
      message: issue?.message ?? 'invalid',
    };
  }
  const dto = parsed.data;
  try {
    const timezone = dto.timezoneID ?? 'UTC';
    if (localMinutes(context.now, timezone) === undefined)
      throw new DtoRefusal('body.timezoneID', `unknown time zone ${timezone}`);
    const { conditions, window } = conditionsOf(dto, timezone, context);
    const body = {
      name: dto.name,
      description: dto.description ?? '',
      logic: dto.logic ?? 'and',
      conditions,
      actions: actionsOf(dto),
      ...(window ? { timeRange: window } : {}),
      matchNow: truthy(dto.matchNow),
      enabled: dto.status ? dto.status === 'active' : true,
    };
    const input = linkageRuleBodySchema.safeParse(body);
    if (!input.success) {
      const issue = input.error.issues[0];
      return { ok: false, path: ['body', ...(issue?.path ?? []).map(String)].join('.'), message: issue?.message ?? '' };
    }
    return {
      ok: true,
      ...(dto.ruleId ? { ruleId: dto.ruleId } : {}),
      input: input.data,
      ...(dto.status ? { status: dto.status } : {}),
    };
  } catch (error) {
    if (error instanceof DtoRefusal) return { ok: false, path: error.path, message: error.message };
    return { ok: false, path: 'body', message: error instanceof Error ? error.message : String(error) };
  }
}

function dtoCondition(c: RuleCondition, i: number, timezone: string): Record<string, unknown> {
  const id = String(i + 1);
  if (c.kind === 'timer') {
    const start = Date.parse(c.startTime);
    const local = localMinutes(start, timezone) ?? 0;
    const exact = { startTime: formatNorthboundTime(start), repeat: c.repeat };
    if (c.everyMinutes === 1440) return { type: 'DAILY_TIMER', id, time: hhmmOf(local), daysOfWeek: null, ...exact };
    const span = Math.min((c.repeat - 1) * c.everyMinutes, 1439);
    return {
      type: 'CYCLE_TIMER',
      id,
      timeRange: { startTime: hhmmOf(local), endTime: hhmmOf(local + span), daysOfWeek: platformDays(ALL_DAYS) },
      interval: c.everyMinutes,
      ...exact,
    };
  }
  const path = `${c.serviceId}/${c.property}`;
  const target =
    c.scope.kind === 'device'
      ? { type: 'DEVICE_DATA', deviceInfo: { deviceId: c.scope.deviceId, path } }
      : c.scope.kind === 'product'
        ? { type: 'DEVICE_TYPE_DATA', deviceTypeInfo: { productId: c.scope.productId, path } }
        : { type: 'DEVICE_GROUP_DATA', groupInfo: { groupId: c.scope.groupId, path } };
  const value =
    c.operator === 'changed'
      ? null
      : c.operator === 'between'
        ? `${String(c.value)},${String(c.value2)}`
        : c.value === undefined
          ? null
          : String(c.value);
  return {
    ...target,
    id,
    operator: c.operator,
    value,
    transInfo: null,
    duration: c.holdMinutes ?? null,
    strategy: { trigger: null, eValidTime: c.validitySeconds ?? null },
  };
}

function dtoAction(a: RuleAction, i: number, appId: string): Record<string, unknown> {
  const id = String(i + 1);
  switch (a.kind) {
    case 'command': {
      const meta = {
        ...(a.expireTime !== undefined ? { expireTime: a.expireTime } : {}),
        ...(a.callbackUrl !== undefined ? { callbackUrl: a.callbackUrl } : {}),
      };
      return {
        type: 'DEVICE_CMD',
        id,
        appKey: appId,
        deviceId: a.deviceId,
        cmd: { messageType: a.method, messageBody: a.paras, serviceId: a.serviceId },
        cmdVersion: null,
        cmdMetaData: Object.keys(meta).length ? meta : null,
        transInfo: null,
      };
    }
    case 'alarm':
      return {
        type: 'DEVICE_ALARM',
        id,
        name: a.name,
        severity: a.level.toUpperCase(),
        description: a.content,
        status: null,
      };
    case 'notify':
      return { type: 'NOTIFY', id, content: a.content };
  }
}

/** A linkage rule (made here or in the UI) as the platform's RuleDTO2. */
export function ruleToDto(rule: LinkageRule): NorthboundRuleDto {
  const timezone = rule.timeRange?.timezone ?? 'UTC';
  return {
    ruleId: rule.ruleId,
    appKey: rule.appId,
    name: rule.name,
    description: rule.description,
    author: rule.appId,
    conditions: rule.conditions.map((c, i) => dtoCondition(c, i, timezone)),
    logic: rule.logic,
    timeRange: rule.timeRange
      ? {
          startTime: rule.timeRange.startTime,
          endTime: rule.timeRange.endTime,
          daysOfWeek: platformDays(rule.timeRange.daysOfWeek),
        }
      : null,
    actions: rule.actions.map((a, i) => dtoAction(a, i, rule.appId)),
    matchNow: rule.matchNow,
    status: rule.enabled ? 'active' : 'inactive',
    groupExpress: null,
    triggerSources: null,
    timezoneID: rule.timeRange ? rule.timeRange.timezone : null,
    transData: null,
    executor: null,
    refreshId: null,
    checkNullAction: null,
    priority: null,
    tags: null,
    rulePreProcessors: null,
  };
}
