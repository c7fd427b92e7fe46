// Diagnosis task states and timers under a moved clock, with a scripted device link.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusOfError } from '../../../../core/api/error-statuses.js';
import { createManualClock, type ManualClock } from '../../../../core/clock.js';
import type { DiagnosisTask } from '../../../../core/contract/diagnosis.js';
import type { ProductModel } from '../../../../core/contract/product-model.js';
import { DiagnosisStore, diagnosisMigrations } from '../../../../core/diagnosis/diagnosis-store.js';
import {
  DiagnosisRefusal,
  DiagnosisService,
  type DiagnosisDeviceLink,
  type LinkOutcome,
} from '../../../../core/diagnosis/diagnosis-service.js';
import { runMigrations } from '../../../../core/store/migrations.js';

const HOUR = 3600_000;

function model(overrides: Partial<ProductModel> = {}): ProductModel {
  return {
    deviceType: 'WaterMeter',
    manufacturerId: 'Acme',
    manufacturerName: 'Acme',
    model: 'NB1',
    protocolType: 'CoAP',
    services: [],
    omCapability: { upgrade: { supported: true, protocol: 'PCP' } },
    customTopics: [],
    ...overrides,
  };
}

/** A device link the test drives: reachability, contacts, and answers that resolve when the test says so. */
function scriptedLink() {
  const reachable = new Set<string>();
  const listeners = new Set<(id: string) => void>();
  const sent: { deviceId: string; path: string; op: 'execute' | 'read'; answer: (o: LinkOutcome) => void }[] = [];
  const request = (op: 'execute' | 'read') => (deviceId: string, path: string) =>
    new Promise<LinkOutcome>((resolve) => sent.push({ deviceId, path, op, answer: resolve }));
  const link: DiagnosisDeviceLink = {
    isReachable: (id) => reachable.has(id),
    onContact: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    execute: request('execute'),
    read: request('read'),
  };
  return {
    link,
    sent,
    online(id: string) {
      reachable.add(id);
      for (const l of listeners) l(id);
    },
    offline(id: string) {
      reachable.delete(id);
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

let db: Database.Database;
let clock: ManualClock;
let device: ReturnType<typeof scriptedLink>;
let events: DiagnosisTask[];
let service: DiagnosisService;
const products = new Map<string, ProductModel>([
  ['meter_1', model()],
  ['meter_2', model()],
  ['light_1', model({ protocolType: 'MQTT' })],
  ['plain_1', model({ omCapability: {} })],
]);

function startService() {
  service = new DiagnosisService(
    new DiagnosisStore(db),
    clock,
    device.link,
    { productOf: (id) => (products.has(id) ? { productId: id.split('_')[0]!, model: products.get(id)! } : undefined) },
    (t) => events.push(t),
  );
  service.start();
}

beforeEach(() => {
  db = new Database(':memory:');
  clock = createManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
  runMigrations(
    db,
    ':memory:',
    [{ capability: 'diagnosis', migrations: diagnosisMigrations }],
    () => new Date(clock.now()),
  );
  device = scriptedLink();
  events = [];
  startService();
});

afterEach(() => {
  service.stop();
  db.close();
});

describe('reboot task', () => {
  it('waits 10 s even for an online device, then executes /3/0/4 and succeeds on the answer', async () => {
    device.online('meter_1');
    const task = service.create('meter_1', 'reboot');
    expect(task).toMatchObject({ status: 'Waiting', path: '/3/0/4', kind: 'reboot' });
    clock.advance(9_999);
    expect(device.sent).toHaveLength(0);
    clock.advance(1);
    expect(device.sent).toMatchObject([{ deviceId: 'meter_1', path: '/3/0/4', op: 'execute' }]);
    expect(service.get(task.taskId).status).toBe('Processing');
    device.sent[0]!.answer({ ok: true });
    await settle();
    expect(service.get(task.taskId)).toMatchObject({
      status: 'Success',
      message: 'the device accepted the reboot',
      messageCode: 'rebootAccepted',
      messageParams: {},
    });
    expect(events.map((e) => e.status)).toEqual(['Waiting', 'Processing', 'Success']);
  });

  it('stays Waiting while the device sleeps and is sent when it reports', () => {
    const task = service.create('meter_1', 'reboot');
    clock.advance(5 * HOUR);
    expect(service.get(task.taskId).status).toBe('Waiting');
    device.online('meter_1');
    expect(device.sent).toHaveLength(1);
    expect(service.get(task.taskId)).toMatchObject({
      status: 'Processing',
      sentAt: new Date(clock.now()).toISOString(),
    });
  });

  it('fails when it could not be sent within 25 hours', () => {
    const task = service.create('meter_1', 'reboot');
    clock.advance(25 * HOUR - 1);
    expect(service.get(task.taskId).status).toBe('Waiting');
    clock.advance(1);
    expect(service.get(task.taskId).status).toBe('Fail');
    expect(service.get(task.taskId).message).toMatch(/25 hours/);
    expect(service.get(task.taskId).messageCode).toBe('notSentIn25h');
    device.online('meter_1');
    expect(device.sent).toHaveLength(0);
  });

  it('fails 30 minutes after sending when the device never answers', async () => {
    device.online('meter_1');
    const task = service.create('meter_1', 'reboot');
    clock.advance(10_000);
    device.sent[0]!.answer({ ok: false, kind: 'unreachable', message: 'no answer' });
    await settle();
    expect(service.get(task.taskId).status).toBe('Processing');
    // Sent again on the next contact, still unanswered.
    device.online('meter_1');
    expect(device.sent).toHaveLength(2);
    clock.advance(30 * 60_000 - 10_001);
    expect(service.get(task.taskId).status).toBe('Processing');
    clock.advance(10_001);
    expect(service.get(task.taskId).status).toBe('Fail');
    expect(service.get(task.taskId).message).toMatch(/30 minutes/);
    expect(service.get(task.taskId).messageCode).toBe('noAnswerIn30min');
    device.sent[1]!.answer({ ok: true });
    await settle();
    expect(service.get(task.taskId).status).toBe('Fail');
  });

  it('fails with the device error when the device refuses', async () => {
    device.online('meter_1');
    const task = service.create('meter_1', 'reboot');
    clock.advance(10_000);
    device.sent[0]!.answer({
      ok: false,
      kind: 'refused',
      code: 'deviceAnswered',
      params: { code: '4.05', codeName: 'Method Not Allowed' },
    });
    await settle();
    expect(service.get(task.taskId).status).toBe('Fail');
    expect(service.get(task.taskId)).toMatchObject({
      message: 'the device answered 4.05 Method Not Allowed',
      messageCode: 'deviceAnswered',
      messageParams: { code: '4.05', codeName: 'Method Not Allowed' },
    });
  });
});

describe('log collection task', () => {
  it('reads /20/0/4014 at once for an online device and keeps the log for download', async () => {
    device.online('meter_2');
    const task = service.create('meter_2', 'logs');
    expect(device.sent).toMatchObject([{ path: '/20/0/4014', op: 'read' }]);
    device.sent[0]!.answer({ ok: true, bytes: new Uint8Array(Buffer.from('boot ok\nregistered\n')) });
    await settle();
    expect(service.get(task.taskId)).toMatchObject({
      status: 'Success',
      logBytes: 19,
      messageCode: 'logCollected',
      messageParams: { bytes: 19 },
    });
    expect(Buffer.from(service.log(task.taskId).bytes).toString()).toBe('boot ok\nregistered\n');
  });

  it('fails after 25 hours unsent and after 30 minutes unanswered', async () => {
    const unsent = service.create('meter_1', 'logs');
    clock.advance(25 * HOUR);
    expect(service.get(unsent.taskId).status).toBe('Fail');

    device.online('meter_2');
    const unanswered = service.create('meter_2', 'logs');
    expect(service.get(unanswered.taskId).status).toBe('Processing');
    clock.advance(30 * 60_000);
    expect(service.get(unanswered.taskId).status).toBe('Fail');
    await settle();
  });

  it('resumes open tasks with their original deadlines after a restart', () => {
    const task = service.create('meter_1', 'logs');
    clock.advance(20 * HOUR);
    service.stop();
    startService();
    clock.advance(5 * HOUR - 1);
    expect(service.get(task.taskId).status).toBe('Waiting');
    clock.advance(1);
    expect(service.get(task.taskId).status).toBe('Fail');
  });
});

describe('who may be diagnosed', () => {
  it('refuses MQTT products, products without omCapability, unknown devices and a second open task', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof DiagnosisRefusal
          ? { status: statusOfError(error.code), code: error.code, message: error.message }
          : error;
      }
      return undefined;
    };
    const mqtt = refusal(() => service.create('light_1', 'reboot'));
    expect(mqtt).toMatchObject({ status: 409, code: 'DIAGNOSIS_NOT_SUPPORTED' });
    expect((mqtt as { message: string }).message).toMatch(/uses MQTT/);
    const plain = refusal(() => service.create('plain_1', 'logs'));
    expect(plain).toMatchObject({ code: 'DIAGNOSIS_NOT_SUPPORTED' });
    expect((plain as { message: string }).message).toMatch(/omCapability/);
    expect(refusal(() => service.create('nobody_1', 'logs'))).toMatchObject({ status: 404 });
    service.create('meter_1', 'reboot');
    expect(refusal(() => service.create('meter_1', 'reboot'))).toMatchObject({ code: 'DIAGNOSIS_TASK_OPEN' });
  });
});
