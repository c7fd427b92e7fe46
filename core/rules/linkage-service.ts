// Linkage rules: create, replace, enable, delete, list firings, and try a rule against recorded history.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { HistoryItem } from '../contract/devices.js';
import type { LinkageRule, LinkageRuleInput, RuleFiring, RuleTrial } from '../contract/rules.js';
import { DomainError } from '../domain-error.js';
import { isValidTimezone } from './conditions.js';
import type { LinkageEngine } from './linkage-engine.js';
import { RuleEvaluator } from './rule-evaluator.js';
import type { RulesStore } from './rules-store.js';

export interface LinkageServiceDeps {
  store: RulesStore;
  engine: LinkageEngine;
  clock: Clock;
  defaultAppId(): string;
  deviceExists(deviceId: string): boolean;
  productExists(productId: string): boolean;
  devicesOf(scope: { kind: 'product'; productId: string } | { kind: 'group'; groupId: string }): string[];
  productOf(deviceId: string): string | undefined;
  groupsOf(deviceId: string): readonly string[];
  /** Newest first. */
  history(deviceId: string, serviceId: string, property: string, limit: number): HistoryItem[];
}

/** Reports read per device and property when trying a rule. */
const TRIAL_DEPTH = 1000;

export class LinkageService {
  constructor(private readonly deps: LinkageServiceDeps) {}

  private check(input: LinkageRuleInput): void {
    const hasTimer = input.conditions.some((c) => c.kind === 'timer');
    const alarmAt = input.actions.findIndex((a) => a.kind === 'alarm');
    if (hasTimer && alarmAt >= 0)
      throw new DomainError(
        'RULE_ALARM_WITH_TIMER',
        'an alarm action cannot be combined with a time condition: a timer has no state to recover from',
        `body.actions.${alarmAt}`,
      );
    if (input.conditions.filter((c) => c.kind === 'timer').length > 1)
      throw new DomainError('BAD_RULE', 'a rule has at most one time condition', 'body.conditions');
    if (input.timeRange && !isValidTimezone(input.timeRange.timezone))
      throw new DomainError('BAD_RULE', `unknown time zone ${input.timeRange.timezone}`, 'body.timeRange.timezone');
    for (const [i, c] of input.conditions.entries()) {
      if (c.kind !== 'property') continue;
      if (c.scope.kind === 'device' && !this.deps.deviceExists(c.scope.deviceId))
        throw new DomainError(
          'DEVICE_NOT_FOUND',
          `no device ${c.scope.deviceId}`,
          `body.conditions.${i}.scope.deviceId`,
        );
      if (c.scope.kind === 'product' && !this.deps.productExists(c.scope.productId))
        throw new DomainError(
          'PRODUCT_NOT_FOUND',
          `no product ${c.scope.productId}`,
          `body.conditions.${i}.scope.productId`,
        );
    }
    for (const [i, a] of input.actions.entries())
      if (a.kind === 'command' && !this.deps.deviceExists(a.deviceId))
        throw new DomainError('DEVICE_NOT_FOUND', `no device ${a.deviceId}`, `body.actions.${i}.deviceId`);
  }

  list(appId?: string): LinkageRule[] {
    return this.deps.store.linkageRules(appId);
  }

  get(ruleId: string): LinkageRule {
    const rule = this.deps.store.linkageRule(ruleId);
    if (!rule) throw new DomainError('RULE_NOT_FOUND', `no linkage rule ${ruleId}`, 'params.ruleId');
    return rule;
  }

  create(input: LinkageRuleInput): LinkageRule {
    this.check(input);
    const ruleId = randomUUID();
    this.deps.store.saveLinkageRule(ruleId, input.appId ?? this.deps.defaultAppId(), input, this.deps.clock.now());
    const rule = this.get(ruleId);
    if (rule.enabled) this.deps.engine.activate(rule, rule.matchNow);
    return rule;
  }

  update(ruleId: string, input: LinkageRuleInput): LinkageRule {
    const old = this.get(ruleId);
    this.check(input);
    this.deps.store.saveLinkageRule(ruleId, input.appId ?? old.appId, input, this.deps.clock.now());
    const rule = this.get(ruleId);
    if (rule.enabled) this.deps.engine.activate(rule, rule.matchNow);
    else this.deps.engine.deactivate(ruleId);
    return rule;
  }

  setEnabled(ruleId: string, enabled: boolean): LinkageRule {
    this.get(ruleId);
    this.deps.store.setLinkageEnabled(ruleId, enabled);
    const rule = this.get(ruleId);
    if (enabled) this.deps.engine.activate(rule, rule.matchNow);
    else this.deps.engine.deactivate(ruleId);
    return rule;
  }

  delete(ruleId: string): boolean {
    this.deps.engine.deactivate(ruleId);
    return this.deps.store.deleteLinkageRule(ruleId);
  }

  firings(ruleId: string | undefined, limit: number): RuleFiring[] {
    return this.deps.store.firings(ruleId, limit);
  }

  /**
   * Replays recorded reports of the devices the rule covers, oldest first, through a fresh evaluator (the time window
   * and delayed triggers apply as they would have); nothing is executed. Timer conditions are not replayed.
   */
  tryAgainstHistory(input: LinkageRuleInput): RuleTrial {
    const rule: LinkageRule = {
      ruleId: 'trial',
      appId: input.appId ?? this.deps.defaultAppId(),
      name: input.name,
      description: input.description,
      logic: input.logic,
      conditions: input.conditions,
      actions: input.actions,
      ...(input.timeRange ? { timeRange: input.timeRange } : {}),
      matchNow: false,
      enabled: true,
      createdAt: new Date(this.deps.clock.now()).toISOString(),
      firings: 0,
    };
    const events: { at: number; id: number; deviceId: string; serviceId: string; property: string; value: unknown }[] =
      [];
    for (const c of input.conditions) {
      if (c.kind !== 'property') continue;
      const devices = c.scope.kind === 'device' ? [c.scope.deviceId] : this.deps.devicesOf(c.scope);
      for (const deviceId of devices)
        for (const item of this.deps.history(deviceId, c.serviceId, c.property, TRIAL_DEPTH))
          events.push({
            at: Date.parse(item.eventTime),
            id: item.id,
            deviceId,
            serviceId: c.serviceId,
            property: c.property,
            value: item.value,
          });
    }
    events.sort((a, b) => a.at - b.at || a.id - b.id);
    const evaluator = new RuleEvaluator(rule);
    const hits: RuleTrial['hits'] = [];
    const wakes = new Map<string, number>();
    const decide = (key: string, now: number) => {
      const { decision, wakeAt } = evaluator.decide(key, now);
      if (decision?.kind === 'fire')
        hits.push({ at: new Date(now).toISOString(), deviceId: decision.deviceId ?? '', reasons: decision.reasons });
      if (wakeAt === undefined) wakes.delete(key);
      else wakes.set(key, wakeAt);
    };
    for (const e of events) {
      // Delayed triggers that fell due before this report.
      for (const [key, at] of [...wakes].sort((a, b) => a[1] - b[1])) if (at <= e.at) decide(key, at);
      const report = {
        deviceId: e.deviceId,
        productId: this.deps.productOf(e.deviceId),
        groupIds: this.deps.groupsOf(e.deviceId),
        services: [{ serviceId: e.serviceId, properties: { [e.property]: e.value }, eventTime: e.at }],
      };
      for (const key of evaluator.observe(report, e.at) ?? []) decide(key, e.at);
    }
    const now = this.deps.clock.now();
    for (const [key, at] of wakes) if (at <= now) decide(key, at);
    return { hits: hits.slice(-500), reportsRead: events.length };
  }
}
