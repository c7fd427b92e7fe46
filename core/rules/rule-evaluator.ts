// One linkage rule's state, pure (no clock, no I/O): what each condition last saw, which devices it has fired for,
// and when a delayed trigger falls due. The live engine and "try against history" both drive it with reports.
import type { LinkageRule, PropertyCondition, RuleReason } from '../contract/rules.js';
import { z } from 'zod';
import { comparatorFor, inTimeRange } from './conditions.js';

export interface ObservedReport {
  deviceId: string;
  productId: string | undefined;
  /** The device's group and the groups above it. */
  groupIds: readonly string[];
  services: readonly { serviceId: string; properties: Record<string, unknown>; eventTime: number }[];
}

interface ConditionState {
  value: unknown;
  previous: unknown;
  eventTime: number;
  /** Since when the condition has held (undefined: it does not hold). */
  since: number | undefined;
}

const ruleKeyStateSchema = z.object({
  fired: z.boolean(),
  conditions: z.array(
    z.object({
      index: z.number().int(),
      deviceId: z.string(),
      value: z.unknown(),
      eventTime: z.number(),
      since: z.number().nullable(),
    }),
  ),
});
export type RuleKeyState = z.infer<typeof ruleKeyStateSchema>;

export type Decision =
  | { kind: 'fire'; key: string; deviceId: string | null; reasons: RuleReason[] }
  | { kind: 'recover'; key: string; deviceId: string | null };

/** The key a rule fires under: the reporting device when a condition covers many devices, else the whole rule. */
const RULE_KEY = '*';

interface WatchedCondition {
  index: number;
  condition: PropertyCondition;
  /** By device. */
  states: Map<string, ConditionState>;
  holds: (actual: unknown, previous: unknown) => boolean;
}

export class RuleEvaluator {
  readonly perDevice: boolean;
  private readonly conditions: WatchedCondition[];
  private readonly fired = new Set<string>();
  private readonly timers: LinkageRule['conditions'];

  constructor(readonly rule: LinkageRule) {
    this.conditions = rule.conditions.flatMap((condition, index) =>
      condition.kind === 'property'
        ? [
            {
              index,
              condition,
              states: new Map<string, ConditionState>(),
              holds: comparatorFor(condition.operator, condition.value, condition.value2),
            },
          ]
        : [],
    );
    this.perDevice = this.conditions.some((c) => c.condition.scope.kind !== 'device');
    this.timers = rule.conditions.filter((c) => c.kind === 'timer');
  }

  get hasTimer(): boolean {
    return this.rule.conditions.some((c) => c.kind === 'timer');
  }

  /** Devices named by device-scope conditions (to index the rule by device). */
  watchedDevices(): string[] {
    return this.conditions.flatMap(({ condition: c }) => (c.scope.kind === 'device' ? [c.scope.deviceId] : []));
  }

  private covers(c: PropertyCondition, report: ObservedReport): boolean {
    const s = c.scope;
    if (s.kind === 'device') return s.deviceId === report.deviceId;
    if (s.kind === 'product') return s.productId === report.productId;
    return report.groupIds.includes(s.groupId);
  }

  /** Takes in a report; returns the keys whose decision may have changed (undefined: none, the usual report). */
  observe(report: ObservedReport, now: number): string[] | undefined {
    let keys: string[] | undefined;
    for (const { condition: c, states, holds: test } of this.conditions) {
      if (!this.covers(c, report)) continue;
      for (const service of report.services) {
        if (service.serviceId !== c.serviceId) continue;
        const value = service.properties[c.property];
        if (value === undefined && !(c.property in service.properties)) continue;
        // Data validity: an old report (buffered by the device, replayed) does not count.
        if (c.validitySeconds !== undefined && now - service.eventTime > c.validitySeconds * 1000) continue;
        const old = states.get(report.deviceId);
        const held = old?.since !== undefined;
        const holds = test(value, old?.value);
        if (old) {
          old.previous = old.value;
          old.value = value;
          old.eventTime = service.eventTime;
          old.since = holds ? (old.since ?? now) : undefined;
        } else
          states.set(report.deviceId, {
            value,
            previous: undefined,
            eventTime: service.eventTime,
            since: holds ? now : undefined,
          });
        const key = this.perDevice ? report.deviceId : RULE_KEY;
        // Nothing to decide when the condition's truth did not change and the rule already stands where it should:
        // fired while it holds, not fired while it does not (the usual report, kept off the ingest path).
        if (old !== undefined && holds === held && holds === this.fired.has(key)) continue;
        if (!keys) keys = [key];
        else if (!keys.includes(key)) keys.push(key);
      }
    }
    return keys;
  }

  private stateFor(c: WatchedCondition, key: string): ConditionState | undefined {
    return c.states.get(c.condition.scope.kind === 'device' ? c.condition.scope.deviceId : key);
  }

  /**
   * Whether the rule holds for `key` now (timer conditions count as met only when `timerTick`), what to do about it,
   * and when a delayed trigger will next need a look.
   */
  decide(key: string, now: number, timerTick = false): { decision?: Decision; wakeAt?: number } {
    const rule = this.rule;
    let wakeAt: number | undefined;
    const met: PropertyCondition[] = [];
    const reasons: RuleReason[] = [];
    let unmet = 0;
    for (const watched of this.conditions) {
      const c = watched.condition;
      const state = this.stateFor(watched, key);
      const hold = (c.holdMinutes ?? 0) * 60_000;
      if (state?.since !== undefined && now - state.since >= hold) {
        met.push(c);
        reasons.push({
          satisfactionTime: new Date(state.since + hold).toISOString(),
          type: 'DEVICE',
          id: c.scope.kind === 'device' ? c.scope.deviceId : key,
          info: {
            serviceId: c.serviceId,
            property: c.property,
            operator: c.operator,
            value: state.value,
            ...(c.value !== undefined ? { threshold: c.value } : {}),
            ...(c.value2 !== undefined ? { threshold2: c.value2 } : {}),
            ...(c.operator === 'changed' ? { previous: state.previous } : {}),
            ...(c.holdMinutes ? { heldMinutes: c.holdMinutes } : {}),
          },
          transInfo: null,
        });
      } else {
        unmet++;
        if (state?.since !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, state.since + hold);
      }
    }
    const timers = this.timers;
    if (timerTick)
      reasons.push({
        satisfactionTime: new Date(now).toISOString(),
        type: 'TIMER',
        id: rule.ruleId,
        info: { timer: timers[0] ?? null },
        transInfo: null,
      });
    const timerMet = timerTick ? timers.length : 0;
    const satisfied = rule.logic === 'and' ? unmet === 0 && timerMet === timers.length : met.length > 0 || timerMet > 0;
    const deviceId = key === RULE_KEY ? (this.watchedDevices()[0] ?? null) : key;
    // A timer fires each tick; a data condition fires once when it comes to hold and again after it stopped.
    if (timerTick) {
      return satisfied && inTimeRange(rule.timeRange, now)
        ? { decision: { kind: 'fire', key, deviceId, reasons } }
        : {};
    }
    if (timers.length > 0 && rule.logic === 'and') return {};
    if (satisfied) {
      if (this.fired.has(key) || !inTimeRange(rule.timeRange, now)) return {};
      this.fired.add(key);
      return { decision: { kind: 'fire', key, deviceId, reasons } };
    }
    if (this.fired.delete(key)) return { decision: { kind: 'recover', key, deviceId }, ...(wakeAt ? { wakeAt } : {}) };
    return wakeAt !== undefined ? { wakeAt } : {};
  }

  /** What the rule knows about `key`, to survive a restart (written when its decision may have changed). */
  snapshot(key: string): RuleKeyState {
    const conditions: RuleKeyState['conditions'] = [];
    for (const c of this.conditions) {
      const deviceId = c.condition.scope.kind === 'device' ? c.condition.scope.deviceId : key;
      const state = c.states.get(deviceId);
      if (state)
        conditions.push({
          index: c.index,
          deviceId,
          value: state.value,
          eventTime: state.eventTime,
          since: state.since ?? null,
        });
    }
    return { fired: this.fired.has(key), conditions };
  }

  /** Takes back a snapshot; true when it fits the rule (a changed rule starts afresh). */
  restore(key: string, snapshot: unknown): boolean {
    const parsed = ruleKeyStateSchema.safeParse(snapshot);
    if (!parsed.success) return false;
    for (const s of parsed.data.conditions) {
      const c = this.conditions.find((w) => w.index === s.index);
      if (!c) return false;
      c.states.set(s.deviceId, {
        value: s.value,
        previous: undefined,
        eventTime: s.eventTime,
        since: s.since ?? undefined,
      });
    }
    if (parsed.data.fired) this.fired.add(key);
    return true;
  }

  markFired(key: string): void {
    this.fired.add(key);
  }

  /** Keys a timer tick evaluates: the whole rule, or every device a condition has seen. */
  timerKeys(): string[] {
    if (!this.perDevice) return [RULE_KEY];
    const keys = new Set<string>();
    for (const c of this.conditions) for (const deviceId of c.states.keys()) keys.add(deviceId);
    return keys.size > 0 || this.conditions.length > 0 ? [...keys] : [RULE_KEY];
  }
}
