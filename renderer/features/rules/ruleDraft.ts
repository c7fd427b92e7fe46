// The linkage rule form's state and its conversion to and from the API body.
import type {
  AlarmLevel,
  LinkageRule,
  LinkageRuleBody,
  RuleAction,
  RuleCondition,
  RuleOperator,
} from '../../../core/contract/index.js';

export type ScopeKind = 'device' | 'product' | 'group';

export interface ConditionDraft {
  scopeKind: ScopeKind;
  scopeId: string | null;
  /** `serviceId/property`. */
  property: string | null;
  operator: RuleOperator;
  value: string;
  value2: string;
  /** Delayed trigger in minutes; 0 fires at once. */
  holdMinutes: number;
}

export type ActionDraft =
  | { kind: 'alarm'; level: AlarmLevel; name: string; content: string }
  | { kind: 'notify'; content: string }
  | { kind: 'command'; deviceId: string | null; serviceId: string; method: string; paras: string };

export interface RuleDraft {
  name: string;
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
  /** Timer conditions are kept as they are (the form edits property conditions only). */
  timers: RuleCondition[];
}

export const emptyCondition = (): ConditionDraft => ({
  scopeKind: 'device',
  scopeId: null,
  property: null,
  operator: '>',
  value: '',
  value2: '',
  holdMinutes: 0,
});

export function newAction(kind: ActionDraft['kind']): ActionDraft {
  if (kind === 'alarm') return { kind, level: 'major', name: '', content: '' };
  if (kind === 'notify') return { kind, content: '' };
  return { kind, deviceId: null, serviceId: '', method: '', paras: '{}' };
}

export function emptyDraft(): RuleDraft {
  return {
    name: '',
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
    timers: [],
  };
}

export function draftOf(rule: LinkageRule): RuleDraft {
  const conditions: ConditionDraft[] = [];
  const timers: RuleCondition[] = [];
  for (const c of rule.conditions) {
    if (c.kind === 'timer') {
      timers.push(c);
      continue;
    }
    const s = c.scope;
    conditions.push({
      scopeKind: s.kind,
      scopeId: s.kind === 'device' ? s.deviceId : s.kind === 'product' ? s.productId : s.groupId,
      property: `${c.serviceId}/${c.property}`,
      operator: c.operator,
      value: c.value === undefined ? '' : String(c.value),
      value2: c.value2 === undefined ? '' : String(c.value2),
      holdMinutes: c.holdMinutes ?? 0,
    });
  }
  const base = emptyDraft();
  return {
    ...base,
    name: rule.name,
    logic: rule.logic,
    conditions,
    actions: rule.actions.map((a): ActionDraft =>
      a.kind === 'command'
        ? {
            kind: 'command',
            deviceId: a.deviceId,
            serviceId: a.serviceId,
            method: a.method,
            paras: JSON.stringify(a.paras),
          }
        : a.kind === 'alarm'
          ? { kind: 'alarm', level: a.level, name: a.name, content: a.content }
          : { kind: 'notify', content: a.content },
    ),
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
    timers,
  };
}

/** A number when the text is one, so `> 30` compares numbers; text otherwise. */
export function scalarOf(text: string): string | number {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

function conditionOf(c: ConditionDraft): RuleCondition | undefined {
  if (!c.scopeId || !c.property) return undefined;
  const [serviceId = '', property = ''] = c.property.split('/');
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
  return { kind: 'command', deviceId: a.deviceId, serviceId: a.serviceId, method: a.method, paras };
}

/** The body the form builds so far (incomplete rows are left out, the server says what is missing). */
export function bodyOf(draft: RuleDraft): LinkageRuleBody {
  return {
    name: draft.name,
    logic: draft.logic,
    conditions: [...draft.conditions.map(conditionOf).filter((c) => c !== undefined), ...draft.timers],
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
