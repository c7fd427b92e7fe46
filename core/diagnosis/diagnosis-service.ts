// Remote diagnosis tasks: reboot and log collection wait for the device, are sent once it is reachable,
// and end in Success or Fail by the spec's timers (25 h unsent, 30 min unanswered, 10 s reboot grace).
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import { DomainError } from '../domain-error.js';
import {
  diagnosisBlocker,
  type DiagnosisKind,
  type DiagnosisMessageCode,
  type DiagnosisMessageParams,
  type DiagnosisStatus,
  type DiagnosisTask,
} from '../contract/diagnosis.js';
import type { ProductModel } from '../contract/product-model.js';
import { DiagnosisStore, taskView, type TaskMessage, type TaskRow } from './diagnosis-store.js';

export const REBOOT_GRACE_MS = 10_000;
export const UNSENT_LIMIT_MS = 25 * 3600_000;
export const UNANSWERED_LIMIT_MS = 30 * 60_000;

export const REBOOT_PATH = '/3/0/4';
export const LOG_PATH = '/20/0/4014';

/** What came back from one attempt to reach the device. */
export type LinkOutcome =
  | { ok: true; bytes?: Uint8Array }
  /** The device answered with an error (4.04, 4.05 …) or the request cannot be made: the task fails with it. */
  | { ok: false; kind: 'refused'; code: 'deviceAnswered' | 'requestFailed'; params: DiagnosisMessageParams }
  /** Nothing came back, or the device was not registered: tried again on its next contact. */
  | { ok: false; kind: 'unreachable'; message: string };

/** A result code with its values and the English text the API and the logs show. */
export function taskMessage(code: DiagnosisMessageCode, params: DiagnosisMessageParams = {}): TaskMessage {
  const p = (name: string) => String(params[name] ?? '');
  const text: Record<DiagnosisMessageCode, () => string> = {
    rebootAccepted: () => 'the device accepted the reboot',
    logCollected: () => `collected ${p('bytes')} bytes of log`,
    notSentIn25h: () => 'not sent within 25 hours: the device was not online and did not report',
    noAnswerIn30min: () => 'no answer from the device within 30 minutes',
    deviceAnswered: () => `the device answered ${p('code')} ${p('codeName')}`.trim(),
    requestFailed: () => `the request could not be made: ${p('reason')}`,
  };
  return { code, params, text: text[code]() };
}

/** The LwM2M server as diagnosis sees it (adapted from core/access/coap in the device stack). */
export interface DiagnosisDeviceLink {
  /** The device is registered now and can be sent a request. */
  isReachable(deviceId: string): boolean;
  /** Called whenever a device registers, updates its registration or reports. */
  onContact(listener: (deviceId: string) => void): () => void;
  execute(deviceId: string, path: string): Promise<LinkOutcome>;
  read(deviceId: string, path: string): Promise<LinkOutcome>;
}

export interface DiagnosisDeviceLookup {
  /** The device's product model, or undefined when there is no such device. */
  productOf(deviceId: string): { productId: string; model: ProductModel } | undefined;
}

/** Why a diagnosis request is refused; its code's HTTP status is in core/api/error-statuses.ts. */
export class DiagnosisRefusal extends DomainError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'DiagnosisRefusal';
  }
}

export type TaskListener = (task: DiagnosisTask) => void;

/** A product qualifies for remote diagnosis when it speaks CoAP/LwM2M and declares a maintenance capability. */
export function diagnosisRefusalFor(productId: string, model: ProductModel): string | undefined {
  switch (diagnosisBlocker(model)) {
    case 'protocol':
      return `product ${productId} uses MQTT; remote diagnosis (reboot, log collection) works on CoAP/LwM2M devices only`;
    case 'omCapability':
      return `product ${productId} declares no maintenance capability (omCapability); enable firmware upgrade, software upgrade or config update in the product to allow remote diagnosis`;
    default:
      return undefined;
  }
}

interface Timers {
  send?: TimerHandle;
  unsent?: TimerHandle;
  unanswered?: TimerHandle;
}

export class DiagnosisService {
  private readonly timers = new Map<string, Timers>();
  private readonly inflight = new Set<string>();
  /** Open tasks by device, so a contact (every notification) costs a map lookup, not a query. */
  private readonly openByDevice = new Map<string, Map<string, TaskRow['kind']>>();
  private readonly deviceOfTask = new Map<string, string>();
  private stopContact: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly store: DiagnosisStore,
    private readonly clock: Clock,
    private readonly link: DiagnosisDeviceLink,
    private readonly devices: DiagnosisDeviceLookup,
    private readonly onTask: TaskListener = () => {},
  ) {}

  /** Picks up open tasks after a restart and listens for device contacts. */
  start(): void {
    this.stopped = false;
    this.stopContact = this.link.onContact((deviceId) => this.contact(deviceId));
    for (const row of this.store.open()) this.arm(row);
  }

  stop(): void {
    this.stopped = true;
    this.stopContact?.();
    this.stopContact = undefined;
    for (const t of this.timers.values()) {
      t.send?.cancel();
      t.unsent?.cancel();
      t.unanswered?.cancel();
    }
    this.timers.clear();
    this.openByDevice.clear();
    this.deviceOfTask.clear();
  }

  create(deviceId: string, kind: DiagnosisKind): DiagnosisTask {
    const product = this.devices.productOf(deviceId);
    if (!product) throw new DiagnosisRefusal('DEVICE_NOT_FOUND', `no device ${deviceId}`);
    const refusal = diagnosisRefusalFor(product.productId, product.model);
    if (refusal) throw new DiagnosisRefusal('DIAGNOSIS_NOT_SUPPORTED', refusal);
    const openId = [...(this.openByDevice.get(deviceId) ?? [])].find(([, k]) => k === kind)?.[0];
    const open = openId === undefined ? undefined : this.store.get(openId);
    if (open) {
      throw new DiagnosisRefusal(
        'DIAGNOSIS_TASK_OPEN',
        `device ${deviceId} already has a ${kind === 'reboot' ? 'reboot' : 'log collection'} task (${open.id}) in state ${open.status}`,
      );
    }
    const id = randomUUID();
    this.store.insert({
      id,
      device_id: deviceId,
      kind,
      status: 'Waiting',
      path: kind === 'reboot' ? REBOOT_PATH : LOG_PATH,
      created_at: this.clock.now(),
    });
    const row = this.require(id);
    this.publish(row);
    this.arm(row);
    return taskView(this.require(id));
  }

  get(taskId: string): DiagnosisTask {
    return taskView(this.require(taskId));
  }

  list(deviceId: string): DiagnosisTask[] {
    return this.store.byDevice(deviceId).map(taskView);
  }

  log(taskId: string): { task: DiagnosisTask; bytes: Uint8Array } {
    const row = this.require(taskId);
    if (row.kind !== 'logs') throw new DiagnosisRefusal('NOT_A_LOG_TASK', `task ${taskId} is a reboot task`);
    if (row.status !== 'Success' || !row.log) {
      throw new DiagnosisRefusal('LOG_NOT_COLLECTED', `task ${taskId} is ${row.status}; it has no log yet`);
    }
    return { task: taskView(row), bytes: new Uint8Array(row.log) };
  }

  forgetDevice(deviceId: string): void {
    for (const id of [...(this.openByDevice.get(deviceId)?.keys() ?? [])]) this.clear(id);
    this.store.deleteByDevice(deviceId);
  }

  private require(taskId: string): TaskRow {
    const row = this.store.get(taskId);
    if (!row) throw new DiagnosisRefusal('TASK_NOT_FOUND', `no diagnosis task ${taskId}`);
    return row;
  }

  private publish(row: TaskRow): void {
    this.onTask(taskView(row));
  }

  private timersOf(id: string): Timers {
    let t = this.timers.get(id);
    if (!t) {
      t = {};
      this.timers.set(id, t);
    }
    return t;
  }

  private clear(id: string): void {
    const t = this.timers.get(id);
    t?.send?.cancel();
    t?.unsent?.cancel();
    t?.unanswered?.cancel();
    this.timers.delete(id);
    this.inflight.delete(id);
    const deviceId = this.deviceOfTask.get(id);
    this.deviceOfTask.delete(id);
    const forDevice = deviceId === undefined ? undefined : this.openByDevice.get(deviceId);
    forDevice?.delete(id);
    if (forDevice?.size === 0) this.openByDevice.delete(deviceId!);
  }

  /** Schedules a task's deadlines from its stored times (also after a restart). */
  private arm(row: TaskRow): void {
    let forDevice = this.openByDevice.get(row.device_id);
    if (!forDevice) this.openByDevice.set(row.device_id, (forDevice = new Map<string, TaskRow['kind']>()));
    forDevice.set(row.id, row.kind);
    this.deviceOfTask.set(row.id, row.device_id);
    const now = this.clock.now();
    const t = this.timersOf(row.id);
    if (row.status === 'Waiting') {
      const unsentAt = row.created_at + UNSENT_LIMIT_MS;
      t.unsent = this.clock.setTimeout(() => this.failUnsent(row.id), Math.max(0, unsentAt - now));
      const sendAt = row.kind === 'reboot' ? row.created_at + REBOOT_GRACE_MS : row.created_at;
      if (sendAt > now) t.send = this.clock.setTimeout(() => this.dispatch(row.id), sendAt - now);
      else this.dispatch(row.id);
    } else if (row.status === 'Processing') {
      this.armAnswerDeadline(row);
      this.dispatch(row.id);
    }
  }

  private armAnswerDeadline(row: TaskRow): void {
    const t = this.timersOf(row.id);
    if (t.unanswered || row.sent_at === null) return;
    const due = row.sent_at + UNANSWERED_LIMIT_MS;
    t.unanswered = this.clock.setTimeout(
      () => this.finish(row.id, 'Fail', taskMessage('noAnswerIn30min')),
      Math.max(0, due - this.clock.now()),
    );
  }

  private failUnsent(id: string): void {
    const row = this.store.get(id);
    if (row?.status !== 'Waiting') return;
    this.finish(id, 'Fail', taskMessage('notSentIn25h'));
  }

  private contact(deviceId: string): void {
    const open = this.openByDevice.get(deviceId);
    if (open) for (const id of [...open.keys()]) this.dispatch(id);
  }

  /** Sends the instruction when its time has come and the device can be reached. */
  private dispatch(id: string): void {
    if (this.stopped || this.inflight.has(id)) return;
    const row = this.store.get(id);
    if (!row || (row.status !== 'Waiting' && row.status !== 'Processing')) return;
    const now = this.clock.now();
    if (row.status === 'Waiting' && row.kind === 'reboot' && now < row.created_at + REBOOT_GRACE_MS) return;
    if (!this.link.isReachable(row.device_id)) return;

    if (row.status === 'Waiting') {
      this.store.markSent(id, now);
      const t = this.timers.get(id);
      t?.send?.cancel();
      t?.unsent?.cancel();
      const sent = this.require(id);
      this.publish(sent);
      this.armAnswerDeadline(sent);
    }
    this.inflight.add(id);
    const attempt =
      row.kind === 'reboot' ? this.link.execute(row.device_id, row.path) : this.link.read(row.device_id, row.path);
    void attempt
      .catch((error: unknown): LinkOutcome => ({
        ok: false,
        kind: 'unreachable',
        message: error instanceof Error ? error.message : String(error),
      }))
      .then((outcome) => {
        this.inflight.delete(id);
        if (this.stopped) return;
        if (outcome.ok) {
          const message =
            row.kind === 'reboot'
              ? taskMessage('rebootAccepted')
              : taskMessage('logCollected', { bytes: outcome.bytes?.length ?? 0 });
          this.finish(id, 'Success', message, row.kind === 'logs' ? (outcome.bytes ?? new Uint8Array()) : undefined);
        } else if (outcome.kind === 'refused') {
          this.finish(id, 'Fail', taskMessage(outcome.code, outcome.params));
        }
        // Unreachable: stays Processing; the next contact sends it again until the 30-minute limit.
      });
  }

  private finish(
    id: string,
    status: Extract<DiagnosisStatus, 'Success' | 'Fail'>,
    message: TaskMessage,
    log?: Uint8Array,
  ): void {
    this.store.finish(id, status, this.clock.now(), message, log);
    this.clear(id);
    const row = this.store.get(id);
    if (row) this.publish(row);
  }
}
