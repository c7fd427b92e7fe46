// The linkage rule form's state and its conversion to and from the API body.
import type {
  AlarmLevel,
  LinkageRule,
  LinkageRuleBody,
  RuleAction,
  RuleCondition,
  RuleOperator,
} from '../../../core/contract/index.js';
import { toIso } from '../devices/historyRange.js';

export type ScopeKind = 'device' | 'product' | 'group';

export interface PropertyConditionDraft {
  kind: 'property';
  scopeKind: ScopeKind;
  scopeId: string | null;
  /** `serviceId/property`. */
  property: string | null;
  operator: RuleOperator;
  value: string;
  value2: string;
  /** Delayed trigger in minutes; 0 fires at once. */
  holdMinutes: number;
  /** Data validity: reports older than this many seconds are ignored; 0 takes every report. */
  validitySeconds: number;
}

export interface TimerConditionDraft {
  kind: 'timer';
  /** A `datetime-local` value: the first firing in the user's time zone. */
  start: string;
  repeat: number;
  everyMinutes: number;
  /** The stored start time, sent back unchanged while `start` still shows it. */
  storedStart?: string;
}

export type ConditionDraft = PropertyConditionDraft | TimerConditionDraft;

export type ActionDraft =
  | { kind: 'alarm'; level: AlarmLevel; name: string; content: string }
  | { kind: 'notify'; content: string }
  | {
      kind: 'command';
      deviceId: string | null;
      serviceId: string;
      method: string;
      paras: string;
      /** Seconds the command waits for the device; empty: the platform's default. */
      expireTime: number | '';
      callbackUrl: string;
    };

export interface RuleDraft {
  name: string;
  description: string;
  /** Kept from the edited rule; a new rule goes to the current application. */
  appId?: string;
  logic: 'and' | 'or';
  conditions: ConditionDraft[];
  actions: ActionDraft[];
  windowOn: boolean;
  startTime: string;
  endTime: string;
  daysOfWeek: number[];
  timezone: string;
  matchNow: boolean;
  enabled: boolean;
}

export const emptyCondition = (): PropertyConditionDraft => ({
  kind: 'property',
  scopeKind: 'device',
  scopeId: null,
  property: null,
  operator: '>',
  value: '',
  value2: '',
  holdMinutes: 0,
  validitySeconds: 0,
});

const pad = (n: number) => String(n).padStart(2, '0');

/** A moment as a `datetime-local` value in the local time zone (seconds only when there are some). */
export function localDateTime(moment: string | number): string {
  const d = new Date(moment);
  const minutes = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() === 0 ? minutes : `${minutes}:${pad(d.getSeconds())}`;
}

/** A time condition starting at the next full hour, every 10 minutes, 6 times. */
export function emptyTimer(now: number = Date.now()): TimerConditionDraft {
  return { kind: 'timer', start: localDateTime(Math.ceil(now / 3_600_000) * 3_600_000), repeat: 6, everyMinutes: 10 };
}

export function newAction(kind: ActionDraft['kind']): ActionDraft {
  if (kind === 'alarm') return { kind, level: 'major', name: '', content: '' };
  if (kind === 'notify') return { kind, content: '' };
  return { kind, deviceId: null, serviceId: '', method: '', paras: '{}', expireTime: '', callbackUrl: '' };
}

export function emptyDraft(): RuleDraft {
  return {
    name: '',
    description: '',
    logic: 'and',
    conditions: [emptyCondition()],
    actions: [newAction('alarm')],
    windowOn: false,
    startTime: '08:00',
    endTime: '18:00',
    daysOfWeek: [1, 2, 3, 4, 5],
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    matchNow: false,
    enabled: true,
  };
}

function conditionDraftOf(c: RuleCondition): ConditionDraft {
  if (c.kind === 'timer')
    return {
      kind: 'timer',
      start: localDateTime(c.startTime),
      repeat: c.repeat,
      everyMinutes: c.everyMinutes,
      storedStart: c.startTime,
    };
  const s = c.scope;
  return {
    kind: 'property',
    scopeKind: s.kind,
    scopeId: s.kind === 'device' ? s.deviceId : s.kind === 'product' ? s.productId : s.groupId,
    property: `${c.serviceId}/${c.property}`,
    operator: c.operator,
    value: c.value === undefined ? '' : String(c.value),
    value2: c.value2 === undefined ? '' : String(c.value2),
    holdMinutes: c.holdMinutes ?? 0,
    validitySeconds: c.validitySeconds ?? 0,
  };
}

function actionDraftOf(a: RuleAction): ActionDraft {
  switch (a.kind) {
    case 'command':
      return {
        kind: 'command',
        deviceId: a.deviceId,
        serviceId: a.serviceId,
        method: a.method,
        paras: JSON.stringify(a.paras),
        expireTime: a.expireTime ?? '',
        callbackUrl: a.callbackUrl ?? '',
      };
    case 'alarm':
      return { kind: 'alarm', level: a.level, name: a.name, content: a.content };
    case 'notify':
      return { kind: 'notify', content: a.content };
  }
}

export function draftOf(rule: LinkageRule): RuleDraft {
  return {
    ...emptyDraft(),
    name: rule.name,
    description: rule.description,
    appId: rule.appId,
    logic: rule.logic,
    conditions: rule.conditions.map(conditionDraftOf),
    actions: rule.actions.map(actionDraftOf),
    windowOn: rule.timeRange !== undefined,
    ...(rule.timeRange
      ? {
          startTime: rule.timeRange.startTime,
          endTime: rule.timeRange.endTime,
          daysOfWeek: rule.timeRange.daysOfWeek,
          timezone: rule.timeRange.timezone,
        }
      : {}),
    matchNow: rule.matchNow,
    enabled: rule.enabled,
  };
}

/** A number when the text is one, so `> 30` compares numbers; text otherwise. */
export function scalarOf(text: string): string | number {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

function conditionOf(c: ConditionDraft): RuleCondition | undefined {
  if (c.kind === 'timer') {
    const startTime = c.storedStart && c.start === localDateTime(c.storedStart) ? c.storedStart : toIso(c.start);
    if (!startTime) return undefined;
    return { kind: 'timer', startTime, repeat: c.repeat, everyMinutes: c.everyMinutes };
  }
  if (!c.scopeId || !c.property) return undefined;
  // A service id has no slash; a property name may.
  const slash = c.property.indexOf('/');
  const serviceId = slash < 0 ? '' : c.property.slice(0, slash);
  const property = c.property.slice(slash + 1);
  const scope =
    c.scopeKind === 'device'
      ? { kind: 'device' as const, deviceId: c.scopeId }
      : c.scopeKind === 'product'
        ? { kind: 'product' as const, productId: c.scopeId }
        : { kind: 'group' as const, groupId: c.scopeId };
  return {
    kind: 'property',
    scope,
    serviceId,
    property,
    operator: c.operator,
    ...(c.operator !== 'changed' ? { value: scalarOf(c.value) } : {}),
    ...(c.operator === 'between' ? { value2: scalarOf(c.value2) } : {}),
    ...(c.validitySeconds > 0 ? { validitySeconds: c.validitySeconds } : {}),
    ...(c.holdMinutes > 0 ? { holdMinutes: c.holdMinutes } : {}),
  };
}

function actionOf(a: ActionDraft): RuleAction | undefined {
  if (a.kind !== 'command') return a;
  if (!a.deviceId) return undefined;
  let paras: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(a.paras || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) paras = parsed as Record<string, unknown>;
  } catch {
    // The server validates the rest; an unreadable JSON object is sent as no parameters.
  }
  return {
    kind: 'command',
    deviceId: a.deviceId,
    serviceId: a.serviceId,
    method: a.method,
    paras,
    ...(a.expireTime !== '' ? { expireTime: a.expireTime } : {}),
    ...(a.callbackUrl.trim() ? { callbackUrl: a.callbackUrl.trim() } : {}),
  };
}

/** The body the form builds so far (incomplete rows are left out, the server says what is missing). */
export function bodyOf(draft: RuleDraft): LinkageRuleBody {
  return {
    name: draft.name,
    description: draft.description,
    ...(draft.appId ? { appId: draft.appId } : {}),
    logic: draft.logic,
    conditions: draft.conditions.map(conditionOf).filter((c) => c !== undefined),
    actions: draft.actions.map(actionOf).filter((a) => a !== undefined),
    ...(draft.windowOn
      ? {
          timeRange: {
            startTime: draft.startTime,
            endTime: draft.endTime,
            daysOfWeek: draft.daysOfWeek,
            timezone: draft.timezone,
          },
        }
      : {}),
    matchNow: draft.matchNow,
    enabled: draft.enabled,
  };
}

export const hasTimer = (draft: RuleDraft): boolean => draft.conditions.some((c) => c.kind === 'timer');

/** The form refuses what the server refuses: an alarm raised by a time condition (it could never recover). */
export function alarmWithTimer(draft: RuleDraft): boolean {
  return hasTimer(draft) && draft.actions.some((a) => a.kind === 'alarm');
}
