// Live linkage rules: reports are observed inside the ingest transaction (in memory, indexed by device, product and
// group, so a report costs only the rules that watch it); firings run their actions afterwards, off the uplink path.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import type { LinkageRule, RuleAction, RuleActionResult, RuleFiring, RuleReason } from '../contract/rules.js';
import { nextTimerFiring } from './conditions.js';
import { RuleEvaluator, type Decision, type ObservedReport } from './rule-evaluator.js';
import type { RulesStore } from './rules-store.js';
import type { AlarmService } from './alarm-service.js';

export interface LinkageDevices {
  productOf(deviceId: string): string | undefined;
  groupsOf(deviceId: string): readonly string[];
}

export interface LinkageActions {
  /** Queues a command through the commands capability; resolves with its id and state. */
  command(action: Extract<RuleAction, { kind: 'command' }>): Promise<{ commandId: string; status: string }>;
  /** Queues the `ruleEvent` push for the rule's application; returns how many callback URLs it went to. */
  ruleEvent(appId: string, firing: RuleFiring): number;
}

export interface LinkageEngineDeps {
  store: RulesStore;
  clock: Clock;
  devices: LinkageDevices;
  alarms: AlarmService;
  actions: LinkageActions;
  /** The last reported data of a device (trigger immediately). */
  latest(deviceId: string): ObservedReport['services'];
  /** Devices a condition covers (trigger immediately on a product or group). */
  devicesOf(scope: { kind: 'product'; productId: string } | { kind: 'group'; groupId: string }): string[];
  fired(firing: RuleFiring): void;
  onError(error: unknown): void;
}

interface LiveRule {
  evaluator: RuleEvaluator;
  holds: Map<string, { at: number; handle: TimerHandle }>;
  timer?: TimerHandle;
}

export class LinkageEngine {
  private readonly rules = new Map<string, LiveRule>();
  private byDevice = new Map<string, Set<LiveRule>>();
  private byProduct = new Map<string, Set<LiveRule>>();
  private byGroup = new Map<string, Set<LiveRule>>();
  private readonly queue: { rule: LinkageRule; decision: Decision; at: number }[] = [];
  private draining = false;
  private idle: Array<() => void> = [];

  constructor(private readonly deps: LinkageEngineDeps) {}

  load(): void {
    for (const rule of this.deps.store.linkageRules()) if (rule.enabled) this.activate(rule, false);
  }

  stop(): void {
    for (const live of this.rules.values()) this.cancel(live);
    this.rules.clear();
    this.reindex();
  }

  get activeRules(): number {
    return this.rules.size;
  }

  /** (Re)starts a rule; with `matchNow`, evaluates the last reported data of the devices it covers. */
  activate(rule: LinkageRule, matchNow: boolean): void {
    this.deactivate(rule.ruleId);
    const live: LiveRule = { evaluator: new RuleEvaluator(rule), holds: new Map() };
    this.rules.set(rule.ruleId, live);
    this.reindex();
    this.scheduleTimer(live);
    if (!matchNow) return;
    const now = this.deps.clock.now();
    const devices = new Set<string>();
    for (const c of rule.conditions) {
      if (c.kind !== 'property') continue;
      if (c.scope.kind === 'device') devices.add(c.scope.deviceId);
      else for (const d of this.deps.devicesOf(c.scope)) devices.add(d);
    }
    for (const deviceId of devices) this.observe(live, this.reportOf(deviceId, this.deps.latest(deviceId)), now);
  }

  deactivate(ruleId: string): void {
    const live = this.rules.get(ruleId);
    if (!live) return;
    this.cancel(live);
    this.rules.delete(ruleId);
    this.reindex();
  }

  private cancel(live: LiveRule): void {
    live.timer?.cancel();
    for (const h of live.holds.values()) h.handle.cancel();
    live.holds.clear();
  }

  private reindex(): void {
    const byDevice = new Map<string, Set<LiveRule>>();
    const byProduct = new Map<string, Set<LiveRule>>();
    const byGroup = new Map<string, Set<LiveRule>>();
    const add = (index: Map<string, Set<LiveRule>>, key: string, live: LiveRule) => {
      let set = index.get(key);
      if (!set) index.set(key, (set = new Set()));
      set.add(live);
    };
    for (const live of this.rules.values())
      for (const c of live.evaluator.rule.conditions) {
        if (c.kind !== 'property') continue;
        if (c.scope.kind === 'device') add(byDevice, c.scope.deviceId, live);
        else if (c.scope.kind === 'product') add(byProduct, c.scope.productId, live);
        else add(byGroup, c.scope.groupId, live);
      }
    this.byDevice = byDevice;
    this.byProduct = byProduct;
    this.byGroup = byGroup;
  }

  private reportOf(deviceId: string, services: ObservedReport['services']): ObservedReport {
    return {
      deviceId,
      productId: this.deps.devices.productOf(deviceId),
      groupIds: this.byGroup.size > 0 ? this.deps.devices.groupsOf(deviceId) : [],
      services,
    };
  }

  /** Called for every stored report, inside its transaction: must stay cheap and must not throw. */
  reported(deviceId: string, services: ObservedReport['services']): void {
    if (this.rules.size === 0) return;
    const report = this.reportOf(deviceId, services);
    const touched = new Set<LiveRule>();
    for (const live of this.byDevice.get(deviceId) ?? []) touched.add(live);
    if (report.productId !== undefined)
      for (const live of this.byProduct.get(report.productId) ?? []) touched.add(live);
    for (const g of report.groupIds) for (const live of this.byGroup.get(g) ?? []) touched.add(live);
    if (touched.size === 0) return;
    const now = this.deps.clock.now();
    for (const live of touched) this.observe(live, report, now);
  }

  private observe(live: LiveRule, report: ObservedReport, now: number): void {
    for (const key of live.evaluator.observe(report, now)) this.decide(live, key, now);
  }

  private decide(live: LiveRule, key: string, now: number, timerTick = false): void {
    const { decision, wakeAt } = live.evaluator.decide(key, now, timerTick);
    if (decision) this.enqueue(live.evaluator.rule, decision, now);
    const pending = live.holds.get(key);
    if (wakeAt === undefined) {
      pending?.handle.cancel();
      live.holds.delete(key);
    } else if (pending?.at !== wakeAt) {
      pending?.handle.cancel();
      const handle = this.deps.clock.setTimeout(() => {
        live.holds.delete(key);
        if (this.rules.get(live.evaluator.rule.ruleId) === live) this.decide(live, key, this.deps.clock.now());
      }, wakeAt - now);
      live.holds.set(key, { at: wakeAt, handle });
    }
  }

  /** Schedules the timer's next tick at or after `from`. */
  private scheduleTimer(live: LiveRule, from = this.deps.clock.now()): void {
    const timer = live.evaluator.rule.conditions.find((c) => c.kind === 'timer');
    if (!timer) return;
    const next = nextTimerFiring(timer, from);
    if (!next) return;
    live.timer = this.deps.clock.setTimeout(
      () => {
        live.timer = undefined;
        if (this.rules.get(live.evaluator.rule.ruleId) !== live) return;
        const at = this.deps.clock.now();
        for (const key of live.evaluator.timerKeys()) this.decide(live, key, at, true);
        this.scheduleTimer(live, next.at + 1);
      },
      Math.max(0, next.at - this.deps.clock.now()),
    );
  }

  private enqueue(rule: LinkageRule, decision: Decision, at: number): void {
    this.queue.push({ rule, decision, at });
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  /** Resolves once every queued firing has run its actions (tests and the benchmark wait on it). */
  settled(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const item = this.queue.shift();
      if (!item) break;
      try {
        if (item.decision.kind === 'fire') await this.fire(item.rule, item.decision, item.at);
        else this.deps.alarms.recover(item.rule.ruleId, item.decision.deviceId, this.deps.clock.now());
      } catch (error) {
        this.deps.onError(error);
      }
    }
    this.draining = false;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private async fire(
    rule: LinkageRule,
    decision: { deviceId: string | null; reasons: RuleReason[] },
    at: number,
  ): Promise<void> {
    const firing: RuleFiring = {
      firingId: randomUUID(),
      ruleId: rule.ruleId,
      ruleName: rule.name,
      appId: rule.appId,
      deviceId: decision.deviceId,
      logic: rule.logic,
      triggerTime: new Date(at).toISOString(),
      reasons: decision.reasons,
      actionsResults: [],
    };
    const notifies: Extract<RuleAction, { kind: 'notify' }>[] = [];
    for (const action of rule.actions) {
      if (action.kind === 'notify') notifies.push(action);
      else firing.actionsResults.push(await this.run(rule, action, decision.deviceId, at));
    }
    // Notifications go last, so the ruleEvent body carries the results of the other actions.
    for (const action of notifies) {
      const result: RuleActionResult = {
        type: 'NOTIFY',
        id: rule.appId,
        exception: null,
        result: { callbackUrls: 0 },
        info: { content: action.content },
        transInfo: null,
      };
      firing.actionsResults.push(result);
      try {
        result.result = { callbackUrls: this.deps.actions.ruleEvent(rule.appId, firing) };
      } catch (error) {
        result.exception = error instanceof Error ? error.message : String(error);
      }
    }
    this.deps.store.recordFiring(firing, at);
    this.deps.fired(firing);
  }

  private async run(
    rule: LinkageRule,
    action: Exclude<RuleAction, { kind: 'notify' }>,
    deviceId: string | null,
    at: number,
  ): Promise<RuleActionResult> {
    if (action.kind === 'alarm') {
      const alarm = this.deps.alarms.raise(
        {
          appId: rule.appId,
          deviceId,
          ruleId: rule.ruleId,
          level: action.level,
          name: action.name,
          content: action.content,
        },
        at,
      );
      return {
        type: 'ALARM',
        id: alarm.alarmId,
        exception: null,
        result: { alarmId: alarm.alarmId, count: alarm.count, state: alarm.state },
        info: { level: action.level, name: action.name, content: action.content },
        transInfo: null,
      };
    }
    const info = { serviceId: action.serviceId, method: action.method, paras: action.paras };
    try {
      const sent = await this.deps.actions.command(action);
      return { type: 'DEVICE_CMD', id: action.deviceId, exception: null, result: sent, info, transInfo: null };
    } catch (error) {
      const exception = error instanceof Error ? error.message : String(error);
      return { type: 'DEVICE_CMD', id: action.deviceId, exception, result: null, info, transInfo: null };
    }
  }
}
