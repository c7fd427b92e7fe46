// Live linkage rules: reports are observed inside the ingest transaction (in memory, indexed by device, product and
// group, so a report costs only the rules that watch it). A decision is written to the outbox in that transaction
// and its actions run afterwards, off the uplink path, many firings to a transaction. For a restart, a rule learns
// again from the last reported data what it had fired for; a delayed condition's start and a timer's last tick are
// kept in rule_state.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../clock.js';
import {
  ruleReasonSchema,
  type LinkageRule,
  type RuleAction,
  type RuleActionResult,
  type RuleFiring,
  type RuleReason,
} from '../contract/rules.js';
import { nextTimerFiring } from './conditions.js';
import { ThresholdIndex, thresholdOf } from './threshold-index.js';
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
  /** Only rules that raise alarms have anything to do when their conditions stop holding. */
  raisesAlarms: boolean;
  /** A delayed condition's start is kept for a restart; other rules learn again from the last data. */
  keepsState: boolean;
}

interface Queued {
  rule: LinkageRule;
  decision: Decision;
  at: number;
  /** Its row in the outbox. */
  seq: number;
}

const decisionSchema = z.union([
  z.object({
    kind: z.literal('fire'),
    key: z.string(),
    deviceId: z.string().nullable(),
    reasons: z.array(ruleReasonSchema),
  }),
  z.object({ kind: z.literal('recover'), key: z.string(), deviceId: z.string().nullable() }),
]);

/** Firings run to one transaction. */
const BATCH = 256;
/** The rule_state key of a timer rule's last tick. */
const TICK_KEY = '#tick';
const tickSchema = z.object({ at: z.number() });

export class LinkageEngine {
  private readonly rules = new Map<string, LiveRule>();
  private byDevice = new Map<string, LiveRule[]>();
  private byProduct = new Map<string, LiveRule[]>();
  private thresholds = new ThresholdIndex<LiveRule>();
  private byGroup = new Map<string, LiveRule[]>();
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly dirty = new Map<LiveRule, Set<string>>();
  private idle: Array<() => void> = [];

  constructor(private readonly deps: LinkageEngineDeps) {}

  /** Starts the enabled rules where they stood, runs the firings a stop interrupted, catches up missed timer ticks. */
  load(): void {
    this.deps.store.transaction(() => this.restore());
    if (this.queue.length > 0) this.scheduleDrain();
  }

  private restore(): void {
    const store = this.deps.store;
    const now = this.deps.clock.now();
    // What a stop interrupted goes first, before anything the restored rules decide now.
    for (const row of store.outbox()) {
      const rule = store.linkageRule(row.ruleId);
      const decision = decisionSchema.safeParse(row.decision);
      if (!rule || !decision.success) {
        store.dropFromOutbox(row.seq);
        continue;
      }
      this.queue.push({ rule, decision: decision.data, at: row.at, seq: row.seq });
    }
    const replayed = this.queue.slice();
    const latest = new Map<string, ObservedReport['services']>();
    const latestOf = (deviceId: string) => {
      let services = latest.get(deviceId);
      if (!services) latest.set(deviceId, (services = this.deps.latest(deviceId)));
      return services;
    };
    for (const rule of store.linkageRules()) {
      if (!rule.enabled) continue;
      const live = this.start(rule);
      let lastTick: number | undefined;
      for (const { key, body } of store.ruleStates(rule.ruleId)) {
        if (key === TICK_KEY) lastTick = tickSchema.safeParse(body).data?.at;
        else if (live.keepsState && live.evaluator.restore(key, body)) this.decide(live, key, now);
      }
      if (!live.keepsState) this.prime(live, now, latestOf);
      // A firing decided just before a stop may have gone before what its rule knew was written.
      for (const item of replayed)
        if (item.rule.ruleId === rule.ruleId && item.decision.kind === 'fire')
          live.evaluator.markFired(item.decision.key);
      this.catchUpTimer(live, lastTick ?? Date.parse(rule.createdAt) - 1, now);
    }
  }

  /**
   * A rule without delayed conditions learns again from the last reported data what it had fired for: every report
   * it saw was decided on in the transaction that stored it, so what holds on the last data has fired (or is in the
   * outbox) and fires again only after it stopped holding.
   */
  private prime(live: LiveRule, now: number, latestOf: (deviceId: string) => ObservedReport['services']): void {
    for (const deviceId of this.covered(live.evaluator.rule)) {
      const keys = live.evaluator.observe(this.reportOf(deviceId, latestOf(deviceId)), now);
      if (keys) for (const key of keys) live.evaluator.decide(key, now);
    }
  }

  private covered(rule: LinkageRule): Set<string> {
    const devices = new Set<string>();
    for (const c of rule.conditions) {
      if (c.kind !== 'property') continue;
      if (c.scope.kind === 'device') devices.add(c.scope.deviceId);
      else for (const d of this.deps.devicesOf(c.scope)) devices.add(d);
    }
    return devices;
  }

  stop(): void {
    if (this.dirty.size > 0) this.deps.store.transaction(() => this.saveDirty());
    for (const live of this.rules.values()) this.cancel(live);
    this.rules.clear();
    this.reindex();
  }

  get activeRules(): number {
    return this.rules.size;
  }

  /** (Re)starts a rule afresh; with `matchNow`, evaluates the last reported data of the devices it covers. */
  activate(rule: LinkageRule, matchNow: boolean): void {
    this.deactivate(rule.ruleId);
    const live = this.start(rule);
    if (!matchNow) return;
    const now = this.deps.clock.now();
    for (const deviceId of this.covered(rule))
      this.observe(live, this.reportOf(deviceId, this.deps.latest(deviceId)), now);
  }

  /** Stops a rule and forgets what it knew (enabled again, it starts afresh). */
  deactivate(ruleId: string): void {
    const live = this.rules.get(ruleId);
    this.deps.store.forgetRuleState(ruleId);
    if (!live) return;
    this.dirty.delete(live);
    this.cancel(live);
    this.rules.delete(ruleId);
    this.reindex();
  }

  private start(rule: LinkageRule): LiveRule {
    const live: LiveRule = {
      evaluator: new RuleEvaluator(rule),
      holds: new Map(),
      raisesAlarms: rule.actions.some((a) => a.kind === 'alarm'),
      keepsState: rule.conditions.some((c) => c.kind === 'property' && (c.holdMinutes ?? 0) > 0),
    };
    this.rules.set(rule.ruleId, live);
    this.reindex();
    this.scheduleTimer(live);
    return live;
  }

  private cancel(live: LiveRule): void {
    live.timer?.cancel();
    for (const h of live.holds.values()) h.handle.cancel();
    live.holds.clear();
  }

  private reindex(): void {
    const byDevice = new Map<string, LiveRule[]>();
    const byProduct = new Map<string, LiveRule[]>();
    const byGroup = new Map<string, LiveRule[]>();
    const add = (index: Map<string, LiveRule[]>, key: string, live: LiveRule) => {
      const list = index.get(key);
      if (!list) index.set(key, [live]);
      else if (!list.includes(live)) list.push(live);
    };
    // A new index knows no device's previous value: the first report of each is seen by all its rules.
    const thresholds = new ThresholdIndex<LiveRule>();
    for (const live of this.rules.values()) {
      const at = thresholdOf(live.evaluator.rule);
      if (at) {
        thresholds.add(at, live);
        continue;
      }
      for (const c of live.evaluator.rule.conditions) {
        if (c.kind !== 'property') continue;
        if (c.scope.kind === 'device') add(byDevice, c.scope.deviceId, live);
        else if (c.scope.kind === 'product') add(byProduct, c.scope.productId, live);
        else add(byGroup, c.scope.groupId, live);
      }
    }
    this.byDevice = byDevice;
    this.byProduct = byProduct;
    this.thresholds = thresholds;
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
    let touched = this.byDevice.get(deviceId);
    // A rule watching the device in more than one way sees the report once.
    const add = (more: LiveRule[] | undefined) => {
      if (more) touched = touched ? [...new Set([...touched, ...more])] : more;
    };
    if (report.productId !== undefined) add(this.byProduct.get(report.productId));
    for (const g of report.groupIds) add(this.byGroup.get(g));
    const now = this.deps.clock.now();
    if (touched) for (const live of touched) this.observe(live, report, now);
    if (report.productId !== undefined && this.thresholds.size > 0)
      this.thresholds.affected(report.productId, deviceId, services, (live) => this.observe(live, report, now));
  }

  private observe(live: LiveRule, report: ObservedReport, now: number): void {
    const keys = live.evaluator.observe(report, now);
    if (keys) for (const key of keys) this.decide(live, key, now);
  }

  private decide(live: LiveRule, key: string, now: number, timerTick = false): void {
    const { decision, wakeAt } = live.evaluator.decide(key, now, timerTick);
    if (!timerTick && live.keepsState) this.markDirty(live, key);
    if (decision) this.enqueue(live, decision, now);
    const pending = live.holds.get(key);
    if (wakeAt === undefined) {
      pending?.handle.cancel();
      live.holds.delete(key);
    } else if (pending?.at !== wakeAt) {
      pending?.handle.cancel();
      const handle = this.deps.clock.setTimeout(
        () => {
          live.holds.delete(key);
          if (this.rules.get(live.evaluator.rule.ruleId) === live) this.decide(live, key, this.deps.clock.now());
        },
        Math.max(0, wakeAt - now),
      );
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
        this.tick(live, this.deps.clock.now());
        this.scheduleTimer(live, next.at + 1);
      },
      Math.max(0, next.at - this.deps.clock.now()),
    );
  }

  private tick(live: LiveRule, at: number): void {
    this.deps.store.saveRuleState(live.evaluator.rule.ruleId, TICK_KEY, { at });
    for (const key of live.evaluator.timerKeys()) this.decide(live, key, at, true);
  }

  /** Ticks that fell while the workbench was stopped fire once, late, when it starts. */
  private catchUpTimer(live: LiveRule, lastTick: number, now: number): void {
    const timer = live.evaluator.rule.conditions.find((c) => c.kind === 'timer');
    if (!timer) return;
    const missed = nextTimerFiring(timer, lastTick + 1);
    if (missed && missed.at < now) this.tick(live, now);
  }

  private enqueue(live: LiveRule, decision: Decision, at: number): void {
    if (decision.kind === 'recover' && !live.raisesAlarms) return;
    const rule = live.evaluator.rule;
    const seq = this.deps.store.addToOutbox(rule.ruleId, at, decision);
    this.queue.push({ rule, decision, at, seq });
    this.scheduleDrain();
  }

  /**
   * What a rule knows about a key is written with the next drain, many keys to a transaction and the latest state of
   * each; a firing's own outbox row, written with the report, carries what a crash in between would lose.
   */
  private markDirty(live: LiveRule, key: string): void {
    let keys = this.dirty.get(live);
    if (!keys) this.dirty.set(live, (keys = new Set()));
    keys.add(key);
    this.scheduleDrain();
  }

  private saveDirty(): void {
    for (const [live, keys] of this.dirty) {
      if (this.rules.get(live.evaluator.rule.ruleId) !== live) continue;
      for (const key of keys)
        this.deps.store.saveRuleState(live.evaluator.rule.ruleId, key, live.evaluator.snapshot(key));
    }
    this.dirty.clear();
  }

  private scheduleDrain(): void {
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
    // One pass at least: held-since states may be waiting with no firing queued (none after a stop saved them).
    do {
      const batch = this.queue.splice(0, BATCH);
      if (batch.length === 0 && this.dirty.size === 0) break;
      // Commands are asynchronous: they go first, the rest of every firing in the batch then shares a transaction.
      const sent = new Map<Queued, RuleActionResult[]>();
      for (const item of batch)
        if (item.decision.kind === 'fire' && item.rule.actions.some((a) => a.kind === 'command'))
          sent.set(item, await this.sendCommands(item.rule));
      const fired: RuleFiring[] = [];
      try {
        this.deps.store.transaction(() => {
          this.saveDirty();
          const counts = new Map<string, { count: number; lastAt: number }>();
          for (const item of batch) {
            try {
              if (item.decision.kind === 'fire') {
                fired.push(this.fire(item.rule, item.decision, item.at, sent.get(item) ?? []));
                const c = counts.get(item.rule.ruleId);
                if (c) {
                  c.count++;
                  c.lastAt = Math.max(c.lastAt, item.at);
                } else counts.set(item.rule.ruleId, { count: 1, lastAt: item.at });
              } else this.deps.alarms.recover(item.rule.ruleId, item.decision.deviceId, this.deps.clock.now());
            } catch (error) {
              this.deps.onError(error);
            }
          }
          for (const [ruleId, c] of counts) this.deps.store.countFirings(ruleId, c.count, c.lastAt);
          const last = batch.at(-1);
          if (!last) return;
          this.deps.store.removeFromOutbox(last.seq);
          this.deps.store.pruneOldFirings();
        });
      } catch (error) {
        this.deps.onError(error);
      }
      for (const firing of fired) this.deps.fired(firing);
    } while (this.queue.length > 0);
    this.draining = false;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private async sendCommands(rule: LinkageRule): Promise<RuleActionResult[]> {
    const results: RuleActionResult[] = [];
    for (const action of rule.actions) {
      if (action.kind !== 'command') continue;
      const info = { serviceId: action.serviceId, method: action.method, paras: action.paras };
      try {
        const result = await this.deps.actions.command(action);
        results.push({ type: 'DEVICE_CMD', id: action.deviceId, exception: null, result, info, transInfo: null });
      } catch (error) {
        const exception = error instanceof Error ? error.message : String(error);
        results.push({ type: 'DEVICE_CMD', id: action.deviceId, exception, result: null, info, transInfo: null });
      }
    }
    return results;
  }

  /** The firing's alarms, notifications and record, in the drain's transaction. */
  private fire(
    rule: LinkageRule,
    decision: { deviceId: string | null; reasons: RuleReason[] },
    at: number,
    commands: RuleActionResult[],
  ): RuleFiring {
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
    let command = 0;
    for (const action of rule.actions) {
      if (action.kind === 'notify') notifies.push(action);
      else if (action.kind === 'command') {
        const result = commands[command++];
        if (result) firing.actionsResults.push(result);
      } else firing.actionsResults.push(this.raise(rule, action, decision.deviceId, at));
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
    return firing;
  }

  private raise(
    rule: LinkageRule,
    action: Extract<RuleAction, { kind: 'alarm' }>,
    deviceId: string | null,
    at: number,
  ): RuleActionResult {
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
}
