// A linkage rule as the sentence it reads like: "When temperature of device Meter 1 > 30 for 2 minutes, raise a
// major alarm "Too hot"". The list and the form's preview say the same thing.
import type { TFunction } from 'i18next';
import type { LinkageRuleBody } from '../../../core/contract/index.js';

type RuleAction = LinkageRuleBody['actions'][number];
type RuleCondition = LinkageRuleBody['conditions'][number];

export type NameOf = (kind: 'device' | 'product' | 'group', id: string) => string;

export function conditionSentence(t: TFunction, c: RuleCondition, nameOf: NameOf): string {
  if (c.kind === 'timer') return t('rules.sentence.timer', { count: c.repeat, every: c.everyMinutes });
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
          : `${c.operator} ${String(c.value)}`;
  const hold = c.holdMinutes ? t('rules.sentence.hold', { count: c.holdMinutes }) : '';
  return t('rules.sentence.condition', { property: c.property, scope, comparison, hold }).trim();
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

export function ruleSentence(t: TFunction, rule: LinkageRuleBody, nameOf: NameOf): string {
  const joiner = t(rule.logic === 'or' ? 'rules.sentence.or' : 'rules.sentence.and');
  const when = rule.conditions.map((c) => conditionSentence(t, c, nameOf)).join(joiner);
  const then = rule.actions.map((a) => actionSentence(t, a, nameOf)).join(t('rules.sentence.and'));
  const window = rule.timeRange
    ? t('rules.sentence.window', {
        start: rule.timeRange.startTime,
        end: rule.timeRange.endTime,
        days: rule.timeRange.daysOfWeek.map((d) => t(`rules.days.${d}`)).join(t('rules.sentence.listSeparator')),
      })
    : '';
  return t('rules.sentence.rule', { when, then, window });
}
