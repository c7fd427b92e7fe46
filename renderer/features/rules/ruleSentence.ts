// A linkage rule as the sentence it reads like: "When temperature of device Meter 1 > 30 for 2 minutes, raise a
// major alarm "Too hot"". The list and the form's preview say the same thing.
import type { TFunction } from 'i18next';
import {
  timerConditionSchema,
  type LinkageRuleBody,
  type RuleReason,
  type TimerCondition,
} from '../../../core/contract/index.js';

type RuleAction = LinkageRuleBody['actions'][number];
type RuleCondition = LinkageRuleBody['conditions'][number];

export type NameOf = (kind: 'device' | 'product' | 'group', id: string) => string;

export interface SentenceOptions {
  /** The zone a time condition's start is written in; the user's own when absent. */
  timeZone?: string;
}

const operatorSigns: Record<string, string> = { '>=': '≥', '<=': '≤', '==': '=', '!=': '≠' };

/** `2026-12-08 08:00` in the given zone: the same in every language, and a rule's start needs its date. */
export function startText(iso: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    ...(timeZone ? { timeZone } : {}),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

function timerSentence(t: TFunction, c: TimerCondition, options: SentenceOptions): string {
  const start = startText(c.startTime, options.timeZone);
  if (c.repeat === 1) return t('rules.sentence.timerOnce', { start });
  return t('rules.sentence.timer', {
    every: t('rules.sentence.every', { count: c.everyMinutes }),
    start,
    count: c.repeat,
  });
}

export function conditionSentence(
  t: TFunction,
  c: RuleCondition,
  nameOf: NameOf,
  options: SentenceOptions = {},
): string {
  if (c.kind === 'timer') return timerSentence(t, c, options);
  const scope = t(`rules.sentence.scope.${c.scope.kind}`, {
    name: nameOf(
      c.scope.kind,
      c.scope.kind === 'device' ? c.scope.deviceId : c.scope.kind === 'product' ? c.scope.productId : c.scope.groupId,
    ),
  });
  const comparison =
    c.operator === 'changed'
      ? t('rules.sentence.changed')
      : c.operator === 'between'
        ? t('rules.sentence.between', { low: c.value, high: c.value2 })
        : c.operator === 'contains'
          ? t('rules.sentence.contains', { value: c.value })
          : `${operatorSigns[c.operator] ?? c.operator} ${String(c.value)}`;
  const hold = c.holdMinutes ? t('rules.sentence.hold', { count: c.holdMinutes }) : '';
  const validity = c.validitySeconds ? t('rules.sentence.validity', { count: c.validitySeconds }) : '';
  return t('rules.sentence.condition', { property: c.property, scope, comparison, hold, validity });
}

export function actionSentence(t: TFunction, a: RuleAction, nameOf: NameOf): string {
  switch (a.kind) {
    case 'alarm':
      return t('rules.sentence.alarm', { level: t(`rules.levels.${a.level}`), name: a.name });
    case 'notify':
      return a.content ? t('rules.sentence.notifyWith', { content: a.content }) : t('rules.sentence.notify');
    case 'command':
      return t('rules.sentence.command', { method: a.method, device: nameOf('device', a.deviceId) });
  }
}

function windowSentence(t: TFunction, range: NonNullable<LinkageRuleBody['timeRange']>): string {
  const days = [...range.daysOfWeek].sort((a, b) => a - b);
  return t('rules.sentence.window', {
    start: range.startTime,
    end: range.endTime,
    timezone: range.timezone ?? 'UTC',
    days:
      days.length === 7
        ? t('rules.sentence.everyDay')
        : days.map((d) => t(`rules.days.${d}`)).join(t('rules.sentence.listSeparator')),
  });
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function ruleSentence(
  t: TFunction,
  rule: LinkageRuleBody,
  nameOf: NameOf,
  options: SentenceOptions = {},
): string {
  const then = rule.actions.map((a) => actionSentence(t, a, nameOf)).join(t('rules.sentence.and'));
  const window = rule.timeRange ? windowSentence(t, rule.timeRange) : '';
  const timer = rule.conditions.find((c) => c.kind === 'timer');
  const data = rule.conditions.filter((c) => c.kind === 'property');
  // With "all", a time condition is when the rule looks: "every 10 minutes …, if temperature > 30, notify".
  if (timer && (rule.logic !== 'or' || data.length === 0)) {
    const lead = capitalised(conditionSentence(t, timer, nameOf, options));
    if (data.length === 0) return t('rules.sentence.timerRule', { timer: lead, window, then });
    const when = data.map((c) => conditionSentence(t, c, nameOf, options)).join(t('rules.sentence.and'));
    return t('rules.sentence.timerRuleIf', { timer: lead, window, when, then });
  }
  const joiner = t(rule.logic === 'or' ? 'rules.sentence.or' : 'rules.sentence.and');
  const when = rule.conditions.map((c) => conditionSentence(t, c, nameOf, options)).join(joiner);
  return t('rules.sentence.rule', { when, then, window });
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Why a firing happened: "Meter 7: temperature = 35 (> 30) for 2 minutes", "valve changed from closed to open", or
 * the time condition that was due. `formatTime` writes the moment in the user's language.
 */
export function reasonSentence(
  t: TFunction,
  r: RuleReason,
  nameOf: NameOf,
  formatTime: (iso: string) => string,
  options: SentenceOptions = {},
): string {
  if (r.type === 'TIMER') {
    const timer = timerConditionSchema.safeParse(r.info.timer);
    const at = formatTime(r.satisfactionTime);
    return timer.success
      ? t('rules.firings.timerReason', { at, timer: timerSentence(t, timer.data, options) })
      : t('rules.firings.timerDue', { at });
  }
  const device = nameOf('device', r.id);
  const { property, operator, value, threshold, threshold2, previous, heldMinutes } = r.info;
  if (typeof property !== 'string' || typeof operator !== 'string') {
    return `${device}: ${Object.entries(r.info)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(', ')}`;
  }
  const hold = typeof heldMinutes === 'number' ? t('rules.sentence.hold', { count: heldMinutes }) : '';
  if (operator === 'changed')
    return t('rules.firings.changedReason', { device, property, from: show(previous ?? '—'), to: show(value) }) + hold;
  const bound =
    threshold2 !== undefined
      ? `${operator} ${show(threshold)}–${show(threshold2)}`
      : `${operatorSigns[operator] ?? operator} ${show(threshold)}`;
  return `${device}: ${property} = ${show(value)} (${bound})${hold}`;
}
