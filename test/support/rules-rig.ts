// A rule engine on a real SQLite file with recorded actions: what the restart tests and their crashing child share.
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { RuleAction, RuleFiring } from '../../core/contract/rules.js';
import { AlarmService } from '../../core/rules/alarm-service.js';
import { LinkageEngine } from '../../core/rules/linkage-engine.js';
import { LinkageService } from '../../core/rules/linkage-service.js';
import { RulesStore, rulesMigrations } from '../../core/rules/rules-store.js';
import { runMigrations } from '../../core/store/migrations.js';

export interface RulesRig {
  db: Database.Database;
  store: RulesStore;
  engine: LinkageEngine;
  service: LinkageService;
  alarms: AlarmService;
  commands: Extract<RuleAction, { kind: 'command' }>[];
  pushes: RuleFiring[];
  fired: RuleFiring[];
  /** Reports like the data store: inside a transaction. */
  report(deviceId: string, properties: Record<string, unknown>): void;
  close(): void;
}

type Services = { serviceId: string; properties: Record<string, unknown>; eventTime: number }[];

/** Devices of the rig: two smoke detectors of one product. */
const products: Readonly<Record<string, string>> = { 'smoke-1': 'SmokeDetector', 'smoke-2': 'SmokeDetector' };

export function openRulesRig(file: string, clock: Clock): RulesRig {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  runMigrations(db, file, [{ capability: 'rules', migrations: rulesMigrations }], () => new Date(clock.now()));
  // The last reported data, as the data store keeps it, written with the report.
  db.exec('CREATE TABLE IF NOT EXISTS rig_latest (device_id TEXT PRIMARY KEY, services TEXT NOT NULL)');
  const saveLatest = db.prepare('INSERT OR REPLACE INTO rig_latest (device_id, services) VALUES (?, ?)');
  const readLatest = db.prepare<[string], { services: string }>('SELECT services FROM rig_latest WHERE device_id = ?');
  const store = new RulesStore(db);
  const alarms = new AlarmService(store, clock, () => undefined);
  const commands: RulesRig['commands'] = [];
  const pushes: RuleFiring[] = [];
  const fired: RuleFiring[] = [];
  const devicesOf = (scope: { kind: 'product'; productId: string } | { kind: 'group'; groupId: string }) =>
    scope.kind === 'product' ? Object.keys(products).filter((d) => products[d] === scope.productId) : [];
  const engine = new LinkageEngine({
    store,
    clock,
    devices: { productOf: (id) => products[id], groupsOf: () => [] },
    alarms,
    actions: {
      command: (action) => {
        commands.push(action);
        return Promise.resolve({ commandId: `c${commands.length}`, status: 'PENDING' });
      },
      ruleEvent: (_appId, firing) => {
        pushes.push(structuredClone(firing));
        return 1;
      },
    },
    latest: (id) => {
      const row = readLatest.get(id);
      return row ? (JSON.parse(row.services) as Services) : [];
    },
    devicesOf,
    fired: (f) => fired.push(f),
    onError: (e) => {
      throw e;
    },
  });
  const service = new LinkageService({
    store,
    engine,
    clock,
    defaultAppId: () => 'app1',
    deviceExists: (id) => id in products,
    productExists: (id) => Object.values(products).includes(id),
    devicesOf,
    productOf: (id) => products[id],
    groupsOf: () => [],
    history: () => [],
  });
  engine.load();
  return {
    db,
    store,
    engine,
    service,
    alarms,
    commands,
    pushes,
    fired,
    report(deviceId, properties) {
      const services: Services = [{ serviceId: 'Smoke', properties, eventTime: clock.now() }];
      store.transaction(() => {
        saveLatest.run(deviceId, JSON.stringify(services));
        engine.reported(deviceId, services);
      });
    },
    close() {
      engine.stop();
      db.close();
    },
  };
}
