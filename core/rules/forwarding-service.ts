// Data forwarding: rules pick reported data or device info (optionally filtered) and hand each message to
// their targets' durable backlogs, in the transaction that stores the report; senders deliver from there.
import { randomUUID } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../clock.js';
import type {
  ForwardFilter,
  ForwardMessage,
  ForwardRule,
  ForwardRuleInput,
  ForwardTarget,
  TargetConfig,
} from '../contract/rules.js';
import { targetBodySchema } from '../contract/rules.js';
import type { z } from 'zod';
import { DomainError } from '../domain-error.js';
import { compareValue } from './conditions.js';
import type { RulesStore, TargetRow } from './rules-store.js';
import { TargetSender } from './target-sender.js';
import { createAmqpTarget } from './targets/amqp-target.js';
import { createFileTarget } from './targets/file-target.js';
import { createHttpTarget } from './targets/http-target.js';
import { createKafkaTarget } from './targets/kafka-target.js';
import { createMqttTarget } from './targets/mqtt-target.js';
import type { TargetClient } from './targets/target-client.js';

export interface ForwardingDeps {
  store: RulesStore;
  clock: Clock;
  dataDir: string;
  ownerOf(deviceId: string): string;
  /** The device's registration and info (device info forwarding). */
  deviceInfo(deviceId: string): Record<string, unknown> | undefined;
  changed(targetId: string): void;
}

/** Whether one service of a report passes a rule's filter. */
export function passesFilter(
  filter: ForwardFilter,
  deviceId: string,
  serviceId: string | undefined,
  data: Record<string, unknown> | undefined,
): boolean {
  if (filter.deviceId !== undefined && filter.deviceId !== deviceId) return false;
  if (filter.serviceId !== undefined && filter.serviceId !== serviceId) return false;
  if (filter.property === undefined) return true;
  if (!data || !(filter.property in data)) return false;
  if (filter.operator === undefined) return true;
  return compareValue(filter.operator, data[filter.property], filter.value, filter.value2);
}

export class ForwardingService {
  private readonly senders = new Map<string, TargetSender>();
  private rules: ForwardRule[] = [];
  private readonly toKick = new Set<TargetSender>();

  constructor(private readonly deps: ForwardingDeps) {}

  start(): void {
    const counts = this.deps.store.backlogCounts();
    for (const target of this.deps.store.targets()) this.startSender(target, counts.get(target.id) ?? 0);
    this.rules = this.deps.store.forwardRules();
    for (const s of this.senders.values()) s.kick();
  }

  async stop(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.all(senders.map((s) => s.stop()));
  }

  private clientFor(target: TargetRow): TargetClient {
    const c: TargetConfig = target.config;
    switch (c.kind) {
      case 'http':
        return createHttpTarget(c, this.deps.clock);
      case 'mqtt':
        return createMqttTarget(c, this.deps.clock, `iotwb-forward-${target.id.slice(0, 8)}`);
      case 'amqp':
        return createAmqpTarget(c, this.deps.clock);
      case 'kafka':
        return createKafkaTarget(c, this.deps.clock);
      case 'file': {
        const dir = isAbsolute(c.dir) ? c.dir : join(this.deps.dataDir, c.dir);
        return createFileTarget({ ...c, dir }, target.name.replace(/[^\w.-]+/g, '_') || target.id, this.deps.clock);
      }
    }
  }

  private startSender(target: TargetRow, backlog: number): void {
    const sender = new TargetSender(target, this.clientFor(target), this.deps.store, this.deps.clock, backlog, () =>
      this.deps.changed(target.id),
    );
    this.senders.set(target.id, sender);
  }

  // ---- targets

  targets(): ForwardTarget[] {
    return [...this.senders.values()].map((s) => this.view(s));
  }

  private view(s: TargetSender): ForwardTarget {
    return {
      targetId: s.target.id,
      name: s.target.name,
      config: s.target.config,
      maxBacklog: s.target.maxBacklog,
      createdAt: new Date(s.target.createdAt).toISOString(),
      state: s.state(),
    };
  }

  createTarget(body: z.output<typeof targetBodySchema>): ForwardTarget {
    const target: TargetRow = {
      id: randomUUID(),
      name: body.name,
      config: body.config,
      maxBacklog: body.maxBacklog,
      createdAt: this.deps.clock.now(),
      sent: 0,
      drops: 0,
    };
    this.deps.store.insertTarget(target);
    this.startSender(target, 0);
    const sender = this.senders.get(target.id);
    if (!sender) throw new Error('sender not started');
    return this.view(sender);
  }

  async deleteTarget(targetId: string): Promise<boolean> {
    const user = this.rules.find((r) => r.targetIds.includes(targetId));
    if (user)
      throw new DomainError('TARGET_IN_USE', `forwarding rule ${user.name} sends to this target`, 'params.targetId');
    const sender = this.senders.get(targetId);
    this.senders.delete(targetId);
    await sender?.stop();
    return this.deps.store.deleteTarget(targetId);
  }

  // ---- rules

  list(appId?: string): ForwardRule[] {
    return this.deps.store.forwardRules(appId);
  }

  create(appId: string, input: ForwardRuleInput): ForwardRule {
    for (const [i, targetId] of input.targetIds.entries())
      if (!this.senders.has(targetId))
        throw new DomainError('TARGET_NOT_FOUND', `no forwarding target ${targetId}`, `body.targetIds.${i}`);
    const ruleId = randomUUID();
    this.deps.store.insertForwardRule(ruleId, appId, input, this.deps.clock.now());
    this.rules = this.deps.store.forwardRules();
    return this.require(ruleId);
  }

  setEnabled(ruleId: string, enabled: boolean): ForwardRule {
    this.require(ruleId);
    this.deps.store.setForwardEnabled(ruleId, enabled);
    this.rules = this.deps.store.forwardRules();
    return this.require(ruleId);
  }

  delete(ruleId: string): boolean {
    const deleted = this.deps.store.deleteForwardRule(ruleId);
    this.rules = this.deps.store.forwardRules();
    return deleted;
  }

  private require(ruleId: string): ForwardRule {
    const rule = this.rules.find((r) => r.ruleId === ruleId);
    if (!rule) throw new DomainError('RULE_NOT_FOUND', `no forwarding rule ${ruleId}`, 'params.ruleId');
    return rule;
  }

  // ---- the uplink path

  /** Inside the ingest transaction: one message per matching service and target. */
  reported(
    deviceId: string,
    receivedAt: number,
    services: readonly { serviceId: string; properties: Record<string, unknown>; eventTime: number }[],
  ): void {
    if (this.rules.length === 0) return;
    let appId: string | undefined;
    for (const rule of this.rules) {
      if (!rule.enabled || rule.source !== 'data') continue;
      appId ??= this.deps.ownerOf(deviceId);
      if (rule.appId !== appId) continue;
      for (const s of services) {
        if (!passesFilter(rule.filter, deviceId, s.serviceId, s.properties)) continue;
        const message: ForwardMessage = {
          type: 'data',
          appId,
          deviceId,
          ruleId: rule.ruleId,
          at: new Date(receivedAt).toISOString(),
          serviceId: s.serviceId,
          data: s.properties,
          eventTime: new Date(s.eventTime).toISOString(),
        };
        this.toTargets(rule, message);
      }
    }
  }

  /** A device was registered, changed, deleted or changed status. */
  deviceEvent(deviceId: string, event: string, appId?: string): void {
    const rules = this.rules.filter((r) => r.enabled && r.source === 'deviceInfo');
    if (rules.length === 0) return;
    const owner = appId ?? this.deps.ownerOf(deviceId);
    const info = this.deps.deviceInfo(deviceId);
    this.deps.store.transaction(() => {
      for (const rule of rules) {
        if (rule.appId !== owner || !passesFilter(rule.filter, deviceId, undefined, info)) continue;
        this.toTargets(rule, {
          type: 'deviceInfo',
          appId: owner,
          deviceId,
          ruleId: rule.ruleId,
          at: new Date(this.deps.clock.now()).toISOString(),
          event,
          ...(info ? { deviceInfo: info } : {}),
        });
      }
    });
  }

  private toTargets(rule: ForwardRule, message: ForwardMessage): void {
    const body = JSON.stringify(message);
    for (const targetId of rule.targetIds) {
      const sender = this.senders.get(targetId);
      if (!sender) continue;
      sender.enqueue(body);
      if (this.toKick.size === 0) setImmediate(() => this.kick());
      this.toKick.add(sender);
    }
  }

  /** After the transaction committed. */
  kick(): void {
    for (const s of this.toKick) s.kick();
    this.toKick.clear();
  }

  settled(): Promise<void> {
    return Promise.all([...this.senders.values()].map((s) => s.settled())).then(() => undefined);
  }
}
