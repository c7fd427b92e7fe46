// The rule engine capability: linkage rules and their firings, alarms, data forwarding with per-target backlogs;
// both engines listen on the ingest transaction and act after it, off the uplink path.
import type { Capability } from '../capability.js';
import type { IngestedReport } from '../data/index.js';
import type { HistoryItem } from '../contract/devices.js';
import type { RuleAction, RuleFiring } from '../contract/rules.js';
import { ruleRoutes } from '../contract/rules.js';
import type { RegistryChange } from '../devices/index.js';
import { AlarmService } from './alarm-service.js';
import { ForwardingService } from './forwarding-service.js';
import { LinkageEngine } from './linkage-engine.js';
import { LinkageService } from './linkage-service.js';
import { RulesStore, rulesMigrations } from './rules-store.js';
import { ruleEventBody as ruleEventBodyOf } from './rule-event-body.js';

type Scope = { kind: 'product'; productId: string } | { kind: 'group'; groupId: string };

export interface RulesCapabilityOptions {
  devices: () => {
    exists(deviceId: string): boolean;
    productOf(deviceId: string): string | undefined;
    /** The device's group and every group above it. */
    groupsOf(deviceId: string): readonly string[];
    devicesOf(scope: Scope): string[];
    ownerOf(deviceId: string): string;
    deviceInfo(deviceId: string): Record<string, unknown> | undefined;
    onChange(listener: (change: RegistryChange) => void): () => void;
  };
  productExists(productId: string): boolean;
  defaultAppId(): string;
  data: () => {
    onIngested(listener: (report: IngestedReport) => void): () => void;
    latest(deviceId: string): { serviceId: string; data: Record<string, unknown>; eventTime: string }[];
    history(deviceId: string, serviceId: string, property: string, limit: number): HistoryItem[];
  };
  commands: () => {
    create(action: Extract<RuleAction, { kind: 'command' }>): Promise<{ commandId: string; status: string }>;
  };
  /** Queues the ruleEvent push to the application's subscribers (the body made only when there are some). */
  ruleEvent: (appId: string, body: () => Record<string, unknown>) => number;
}

export interface RulesCapability extends Capability {
  readonly linkage: LinkageService;
  readonly alarms: AlarmService;
  readonly forwarding: ForwardingService;
  /** Resolves once queued firings ran and every target's backlog is sent or waiting to retry. */
  settled(): Promise<void>;
}

interface Running {
  linkage: LinkageService;
  engine: LinkageEngine;
  alarms: AlarmService;
  forwarding: ForwardingService;
  unsubscribe: Array<() => void>;
}

export function createRulesCapability(options: RulesCapabilityOptions): RulesCapability {
  let running: Running | undefined;
  const require = () => {
    if (!running) throw new Error('the rules capability has not started');
    return running;
  };
  return {
    name: 'rules',
    migrations: rulesMigrations,
    get linkage() {
      return require().linkage;
    },
    get alarms() {
      return require().alarms;
    },
    get forwarding() {
      return require().forwarding;
    },
    async settled() {
      const r = require();
      await r.engine.settled();
      await r.forwarding.settled();
    },

    start({ db, clock, bus, routes, logger, dataDir }) {
      const log = logger.child({ source: 'rules' });
      const store = new RulesStore(db);
      const devices = options.devices();
      const alarms = new AlarmService(store, clock, (alarm) =>
        bus.publish('rule', { at: clock.now(), kind: 'alarm', alarmId: alarm.alarmId, state: alarm.state }),
      );
      const engine = new LinkageEngine({
        store,
        clock,
        devices,
        alarms,
        actions: {
          command: (action) => options.commands().create(action),
          ruleEvent: (appId, firing: RuleFiring) => options.ruleEvent(appId, () => ruleEventBodyOf(firing)),
        },
        latest: (deviceId) =>
          options
            .data()
            .latest(deviceId)
            .map((s) => ({ serviceId: s.serviceId, properties: s.data, eventTime: Date.parse(s.eventTime) })),
        devicesOf: (scope) => devices.devicesOf(scope),
        fired: (firing) =>
          bus.publish('rule', {
            at: clock.now(),
            kind: 'firing',
            ruleId: firing.ruleId,
            ruleName: firing.ruleName,
            firingId: firing.firingId,
            triggerTime: firing.triggerTime,
            ...(firing.deviceId ? { deviceId: firing.deviceId } : {}),
            notify: firing.actionsResults.some((a) => a.type === 'NOTIFY'),
          }),
        onError: (error) => log.error({ err: error }, 'a rule firing failed'),
      });
      const linkage = new LinkageService({
        store,
        engine,
        clock,
        defaultAppId: () => options.defaultAppId(),
        deviceExists: (id) => devices.exists(id),
        productExists: (id) => options.productExists(id),
        devicesOf: (scope) => devices.devicesOf(scope),
        productOf: (id) => devices.productOf(id),
        groupsOf: (id) => devices.groupsOf(id),
        history: (deviceId, serviceId, property, limit) => options.data().history(deviceId, serviceId, property, limit),
      });
      const forwarding = new ForwardingService({
        store,
        clock,
        dataDir,
        ownerOf: (id) => devices.ownerOf(id),
        deviceInfo: (id) => devices.deviceInfo(id),
        changed: () => undefined,
      });
      engine.load();
      forwarding.start();

      const unsubscribe = [
        options.data().onIngested((report) => {
          engine.reported(report.deviceId, report.services);
          forwarding.reported(report.deviceId, report.receivedAt, report.services);
        }),
        devices.onChange((change) => {
          if (change.kind === 'registered' || change.kind === 'updated' || change.kind === 'deleting')
            forwarding.deviceEvent(change.deviceId, change.kind === 'deleting' ? 'deleted' : change.kind);
        }),
        bus.subscribe('device', (event) => {
          if (event.kind === 'online' || event.kind === 'offline' || event.kind === 'abnormal')
            forwarding.deviceEvent(event.deviceId, event.kind);
        }),
      ];
      running = { linkage, engine, alarms, forwarding, unsubscribe };

      routes.add(ruleRoutes.listLinkageRules, ({ query }) => ({ rules: linkage.list(query.appId) }));
      routes.add(ruleRoutes.createLinkageRule, ({ body }) => linkage.create(body));
      routes.add(ruleRoutes.updateLinkageRule, ({ params, body }) => linkage.update(params.ruleId, body));
      routes.add(ruleRoutes.enableLinkageRule, ({ params, body }) => linkage.setEnabled(params.ruleId, body.enabled));
      routes.add(ruleRoutes.deleteLinkageRule, ({ params }) => ({ deleted: linkage.delete(params.ruleId) }));
      routes.add(ruleRoutes.tryLinkageRule, ({ body }) => linkage.tryAgainstHistory(body));
      routes.add(ruleRoutes.listRuleFirings, ({ query }) => ({ firings: linkage.firings(query.ruleId, query.limit) }));
      routes.add(ruleRoutes.listAlarms, ({ query }) => ({ alarms: alarms.list(query) }));
      routes.add(ruleRoutes.acknowledgeAlarm, ({ params }) => alarms.acknowledge(params.alarmId));
      routes.add(ruleRoutes.clearAlarm, ({ params }) => alarms.clear(params.alarmId));
      routes.add(ruleRoutes.listTargets, () => ({ targets: forwarding.targets() }));
      routes.add(ruleRoutes.createTarget, ({ body }) => forwarding.createTarget(body));
      routes.add(ruleRoutes.deleteTarget, async ({ params }) => ({
        deleted: await forwarding.deleteTarget(params.targetId),
      }));
      routes.add(ruleRoutes.listForwardRules, ({ query }) => ({ rules: forwarding.list(query.appId) }));
      routes.add(ruleRoutes.createForwardRule, ({ body }) =>
        forwarding.create(body.appId ?? options.defaultAppId(), body),
      );
      routes.add(ruleRoutes.enableForwardRule, ({ params, body }) =>
        forwarding.setEnabled(params.ruleId, body.enabled),
      );
      routes.add(ruleRoutes.deleteForwardRule, ({ params }) => ({ deleted: forwarding.delete(params.ruleId) }));
    },
    async stop() {
      const r = running;
      running = undefined;
      if (!r) return;
      for (const u of r.unsubscribe) u();
      r.engine.stop();
      await r.forwarding.stop();
    },
  };
}
