// The command queue and its state machine: PENDING until the device can be reached (cached commands one at a
// time per device in creation order, the next after the previous one's ACK), SENT, DELIVERED on the device's ACK,
// TIMEOUT without one in 180 s (re-sent up to maxRetransmit), SUCCESSFUL / FAILED by the device's answer, EXPIRED,
// CANCELED. Every transition is stored first, then published, then handed to the status callback.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import {
  finalCommandStatuses,
  type CancelTask,
  type CommandResult,
  type CommandStatus,
  type CreateCommandInput,
  type DeviceCommand,
} from '../contract/commands.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DeviceLink, DeviceResponse } from '../device-link/index.js';
import { DomainError } from '../domain-error.js';
import { attemptDelivery, type AckOutcome, type CodecEncode } from './command-delivery.js';
import { checkCommand } from './command-paras.js';
import {
  commandView,
  type CommandFilter,
  type CommandRow,
  type CommandStore,
  type TransitionChange,
  type TransitionDetail,
} from './command-store.js';

/** No ACK from the device within this long: TIMEOUT (§ ). */
export const ACK_TIMEOUT_MS = 180_000;

/**
 * A device that just opened an MQTT session subscribes next (a legacy device to its command topic, which also tells
 * its dialect): cached commands wait this long after `online`. Any report sends them at once.
 */
export const MQTT_ONLINE_GRACE_MS = 1000;

/** Where status callbacks go (the push delivery of subscriptions; composition wires it). */
export interface CommandCallbacks {
  enqueue(input: { url: string; body: unknown; deviceId: string; requestId?: string }): void;
}

export interface CommandDevices {
  productOf(deviceId: string): { productId: string; model: ProductModel } | undefined;
}

export interface CommandServiceDeps {
  store: CommandStore;
  clock: Clock;
  link: DeviceLink;
  encode: CodecEncode;
  devices: CommandDevices;
  callbacks: CommandCallbacks;
  /** Every stored transition, after it is committed (bus events, batch progress). */
  changed: (command: DeviceCommand, batchId: string | null) => void;
  log: (message: string) => void;
}

/** The status callback body of §1.7; SUCCESSFUL is reported as the documented `SUCCESS`. */
export function statusCallbackBody(command: DeviceCommand): unknown {
  return {
    deviceId: command.deviceId,
    commandId: command.commandId,
    result: {
      resultCode: command.status === 'SUCCESSFUL' ? 'SUCCESS' : command.status,
      resultDetail: command.result?.body ?? (command.result?.reason ? { reason: command.result.reason } : null),
    },
  };
}

const isFinal = (status: CommandStatus) => finalCommandStatuses.includes(status);
const cached = (row: CommandRow) => row.expire_time > 0;
const key = (deviceId: string, correlation: string) => `${deviceId}\u0000${correlation}`;

export class CommandService {
  /** Per command: its expiry while PENDING, its ACK timer while SENT. */
  private readonly timers = new Map<string, TimerHandle>();
  /** The cached command of a device that is SENT and not yet acknowledged: the device's queue waits for it. */
  private readonly inflight = new Map<string, string>();
  /** Device answers find their command by mid or request id. */
  private readonly correlations = new Map<string, string>();
  /** Devices with PENDING cached commands, so a report of any other device costs a set lookup. */
  private readonly waitingDevices = new Set<string>();
  /** Commands between "about to send" and "stored as SENT": cancel and expiry leave them alone. */
  private readonly attempting = new Set<string>();
  /** Answers that overtook the SENT transition of their command. */
  private readonly early = new Map<string, DeviceResponse>();
  private readonly pumping = new Set<string>();
  private readonly repump = new Set<string>();
  private readonly waiters = new Map<string, Set<(command: DeviceCommand | undefined) => void>>();
  private unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly deps: CommandServiceDeps) {}

  /** Re-evaluates every open command after a restart and listens to the device link. */
  start(): void {
    this.stopped = false;
    const { clock, store, link } = this.deps;
    const now = clock.now();
    for (const row of store.open()) {
      if (row.status === 'PENDING') {
        if (!cached(row)) this.finish(row, 'FAILED', { reason: 'the platform stopped before it was sent' });
        else if (now >= this.expiresAt(row)) this.finish(row, 'EXPIRED', { reason: 'not sent before its expireTime' });
        else this.armExpiry(row);
        continue;
      }
      this.correlate(row);
      if (row.status === 'SENT') {
        if (cached(row)) this.inflight.set(row.device_id, row.id);
        const left = (row.sent_at ?? now) + ACK_TIMEOUT_MS - now;
        if (left <= 0) void this.ackTimedOut(row.id);
        else this.setTimer(row.id, left, () => void this.ackTimedOut(row.id));
      }
    }
    this.unsubscribe = [
      link.onPresence((event) => {
        if (event.kind === 'offline' || !this.waitingDevices.has(event.deviceId)) return;
        if (event.kind === 'online' && event.protocol === 'mqtt')
          clock.setTimeout(() => void this.pump(event.deviceId), MQTT_ONLINE_GRACE_MS);
        else void this.pump(event.deviceId);
      }),
      link.onResponse((response) => this.answered(response)),
    ];
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.inflight.clear();
    this.correlations.clear();
    this.waitingDevices.clear();
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w(undefined);
    this.waiters.clear();
  }

  /** Checks the command against the model, stores it and sends it (now, or when the device can be reached). */
  async create(deviceId: string, input: CreateCommandInput, batchId?: string): Promise<DeviceCommand> {
    const row = this.insert(deviceId, input, batchId);
    await this.dispatch(row);
    return this.view(row.id);
  }

  /** Stores a checked command without sending it; `dispatch` sends it. */
  insert(deviceId: string, input: CreateCommandInput, batchId?: string): CommandRow {
    const product = this.deps.devices.productOf(deviceId);
    if (!product) throw new DomainError('DEVICE_NOT_FOUND', `no device ${deviceId}`, 'params.id');
    checkCommand(product.model, product.productId, input);
    const id = randomUUID();
    this.deps.store.insert({
      id,
      device_id: deviceId,
      kind: input.kind,
      service_id: input.serviceId,
      method: input.method,
      paras: JSON.stringify(input.paras),
      raw: input.raw ? 1 : 0,
      expire_time: input.expireTime,
      max_retransmit: input.maxRetransmit,
      callback_url: input.callbackUrl ?? null,
      created_at: this.deps.clock.now(),
      batch_id: batchId ?? null,
    });
    const row = this.row(id);
    this.deps.changed(commandView(row), row.batch_id);
    return row;
  }

  async dispatch(row: CommandRow): Promise<void> {
    if (!cached(row)) return this.sendNow(row);
    this.armExpiry(row);
    await this.pump(row.device_id);
  }

  get(commandId: string): { command: DeviceCommand; transitions: ReturnType<CommandStore['transitions']> } {
    return { command: this.view(commandId), transitions: this.deps.store.transitions(commandId) };
  }

  list(filter: CommandFilter): { total: number; items: DeviceCommand[] } {
    const page = this.deps.store.page(filter);
    return { total: page.total, items: page.items.map(commandView) };
  }

  view(commandId: string): DeviceCommand {
    return commandView(this.row(commandId));
  }

  /** Which command a downlink frame carried (the traffic view's command layer), by the bytes it sent. */
  sentAs(
    deviceId: string,
    payloadHex: string,
  ): { command: DeviceCommand; attempt?: number; codec: boolean } | undefined {
    const sent = this.deps.store.sentWithBytes(deviceId, payloadHex);
    if (!sent) return undefined;
    return {
      command: this.view(sent.commandId),
      ...(sent.detail.attempt !== undefined ? { attempt: sent.detail.attempt } : {}),
      codec: sent.detail.codec === true,
    };
  }

  cancel(commandId: string): DeviceCommand {
    const row = this.row(commandId);
    if (row.status !== 'PENDING' || this.attempting.has(row.id))
      throw new DomainError(
        'COMMAND_NOT_PENDING',
        `command ${commandId} is ${this.attempting.has(row.id) ? 'being sent' : row.status}; only a PENDING command can be canceled`,
        'params.commandId',
      );
    return commandView(this.finish(row, 'CANCELED', { reason: 'canceled' }));
  }

  cancelAll(deviceId: string): CancelTask {
    if (!this.deps.devices.productOf(deviceId))
      throw new DomainError('DEVICE_NOT_FOUND', `no device ${deviceId}`, 'params.id');
    const at = this.deps.clock.now();
    const canceled = this.deps.store
      .pendingOfDevice(deviceId)
      .filter((row) => !this.attempting.has(row.id))
      .map((row) => commandView(this.finish(row, 'CANCELED', { reason: 'canceled by a cancel task' })));
    const taskId = randomUUID();
    this.deps.store.insertCancelTask(
      taskId,
      deviceId,
      at,
      canceled.map((c) => c.commandId),
    );
    return { taskId, deviceId, status: 'SUCCESS', totalCount: canceled.length, createdAt: at, commands: canceled };
  }

  cancelTasks(deviceId?: string): CancelTask[] {
    return this.deps.store.cancelTasks(deviceId).map((t) => {
      const commands = t.commandIds.flatMap((id) => {
        const row = this.deps.store.get(id);
        return row ? [commandView(row)] : [];
      });
      return {
        taskId: t.id,
        deviceId: t.deviceId,
        status: 'SUCCESS' as const,
        totalCount: t.commandIds.length,
        createdAt: t.createdAt,
        commands,
      };
    });
  }

  /** Resolves with the command once it is final (or DELIVERED and answered), or undefined after `ms`. */
  waitForAnswer(commandId: string, ms: number): Promise<DeviceCommand | undefined> {
    const current = this.view(commandId);
    if (isFinal(current.status)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const set = this.waiters.get(commandId) ?? new Set();
      this.waiters.set(commandId, set);
      const done = (command: DeviceCommand | undefined) => {
        timer.cancel();
        set.delete(done);
        if (set.size === 0) this.waiters.delete(commandId);
        resolve(command);
      };
      const timer = this.deps.clock.setTimeout(() => done(undefined), ms);
      set.add(done);
    });
  }

  forgetDevice(deviceId: string): void {
    for (const row of this.deps.store.open().filter((r) => r.device_id === deviceId)) {
      this.timers.get(row.id)?.cancel();
      this.timers.delete(row.id);
    }
    this.inflight.delete(deviceId);
    this.waitingDevices.delete(deviceId);
    this.deps.store.deleteByDevice(deviceId);
  }

  // --- the state machine -------------------------------------------------------------------------------------------

  private row(commandId: string): CommandRow {
    const row = this.deps.store.get(commandId);
    if (!row) throw new DomainError('COMMAND_NOT_FOUND', `no command ${commandId}`, 'params.commandId');
    return row;
  }

  private expiresAt(row: CommandRow): number {
    return row.created_at + row.expire_time * 1000;
  }

  private setTimer(commandId: string, ms: number, fn: () => void): void {
    this.timers.get(commandId)?.cancel();
    this.timers.set(
      commandId,
      this.deps.clock.setTimeout(() => {
        this.timers.delete(commandId);
        fn();
      }, ms),
    );
  }

  private clearTimer(commandId: string): void {
    this.timers.get(commandId)?.cancel();
    this.timers.delete(commandId);
  }

  private armExpiry(row: CommandRow): void {
    this.waitingDevices.add(row.device_id);
    this.setTimer(row.id, Math.max(0, this.expiresAt(row) - this.deps.clock.now()), () => {
      const current = this.deps.store.get(row.id);
      if (current?.status === 'PENDING' && !this.attempting.has(row.id))
        this.finish(current, 'EXPIRED', { reason: 'not sent before its expireTime' });
    });
  }

  /** Stores a transition, then tells the bus, the waiters and the status callback. */
  private move(row: CommandRow, status: CommandStatus, change: TransitionChange, detail: TransitionDetail = {}) {
    const updated = this.deps.store.transition(row.id, status, this.deps.clock.now(), change, detail);
    const view = commandView(updated);
    this.deps.changed(view, updated.batch_id);
    if (updated.callback_url)
      this.deps.callbacks.enqueue({
        url: updated.callback_url,
        body: statusCallbackBody(view),
        deviceId: view.deviceId,
      });
    if (isFinal(status) || (status === 'DELIVERED' && change.result))
      for (const w of [...(this.waiters.get(row.id) ?? [])]) w(view);
    return updated;
  }

  private finish(row: CommandRow, status: CommandStatus, result: CommandResult, detail: TransitionDetail = {}) {
    this.clearTimer(row.id);
    this.uncorrelate(row);
    const updated = this.move(
      row,
      status,
      { result, finishedAt: this.deps.clock.now() },
      {
        ...(result.reason ? { reason: result.reason } : {}),
        ...detail,
      },
    );
    this.release(row);
    return updated;
  }

  /** The device's queue may move on: its in-flight cached command was acknowledged or ended. */
  private release(row: CommandRow): void {
    if (this.inflight.get(row.device_id) !== row.id) return;
    this.inflight.delete(row.device_id);
    if (this.waitingDevices.has(row.device_id)) void this.pump(row.device_id);
  }

  private correlate(row: CommandRow): void {
    if (row.mid !== null) this.correlations.set(key(row.device_id, String(row.mid)), row.id);
    this.correlations.set(key(row.device_id, row.id), row.id);
  }

  private uncorrelate(row: CommandRow): void {
    const current = this.deps.store.get(row.id) ?? row;
    if (current.mid !== null) {
      const k = key(row.device_id, String(current.mid));
      if (this.correlations.get(k) === row.id) this.correlations.delete(k);
    }
    this.correlations.delete(key(row.device_id, row.id));
  }

  /** Sends the device's oldest PENDING cached command when nothing of it is in flight and it can be reached. */
  private async pump(deviceId: string): Promise<void> {
    if (this.pumping.has(deviceId)) {
      this.repump.add(deviceId);
      return;
    }
    this.pumping.add(deviceId);
    try {
      for (;;) {
        this.repump.delete(deviceId);
        if (this.stopped || this.inflight.has(deviceId) || !this.deps.link.reachableBy(deviceId)) return;
        const next = this.deps.store.pendingOfDevice(deviceId).find(cached);
        if (!next) {
          this.waitingDevices.delete(deviceId);
          return;
        }
        const outcome = await this.send(next);
        if (outcome !== 'failed' && !this.repump.has(deviceId)) return;
      }
    } finally {
      this.pumping.delete(deviceId);
      if (this.repump.has(deviceId)) void this.pump(deviceId);
    }
  }

  private async sendNow(row: CommandRow): Promise<void> {
    const outcome = await this.send(row);
    if (outcome === 'unreachable') {
      const current = this.row(row.id);
      if (!isFinal(current.status)) this.finish(current, 'FAILED', { reason: 'the device is not reachable' });
    }
  }

  /** One attempt on the wire; a cached command the device cannot take now goes back to PENDING. */
  private async send(row: CommandRow): Promise<'sent' | 'unreachable' | 'failed'> {
    const { store, link, encode, devices } = this.deps;
    const product = devices.productOf(row.device_id);
    if (!product) return 'failed';
    if (row.mid === null) row = { ...row, mid: store.allocateMid(row.device_id) };
    const mid = row.mid as number;
    // Registered before the publish: a quick device may answer before the SENT transition is stored.
    this.correlate(row);
    this.attempting.add(row.id);
    let attempt;
    try {
      attempt = await attemptDelivery(
        link,
        encode,
        {
          commandId: row.id,
          deviceId: row.device_id,
          productId: product.productId,
          kind: row.kind,
          serviceId: row.service_id,
          method: row.method,
          paras: JSON.parse(row.paras) as Record<string, unknown>,
          raw: row.raw === 1,
          mid: () => mid,
        },
        ACK_TIMEOUT_MS,
      );
    } finally {
      this.attempting.delete(row.id);
    }
    const current = this.row(row.id);
    if (isFinal(current.status) && current.status !== 'TIMEOUT') return 'failed';
    if (attempt.outcome === 'refused') {
      this.finish(current, 'FAILED', { reason: attempt.reason });
      return 'failed';
    }
    if (attempt.outcome === 'unreachable') {
      this.uncorrelate(current);
      if (!cached(current)) return 'unreachable';
      if (this.deps.clock.now() >= this.expiresAt(current)) {
        this.finish(current, 'EXPIRED', { reason: 'not sent before its expireTime' });
        return 'failed';
      }
      if (current.status !== 'PENDING') this.move(current, 'PENDING', { mid }, { reason: attempt.reason });
      this.armExpiry(current);
      return 'unreachable';
    }
    const issued = current.issued_times + 1;
    const sent = this.move(
      current,
      'SENT',
      { sentAt: this.deps.clock.now(), issued: true, mid, ...(row.kind !== 'message' ? { requestId: row.id } : {}) },
      {
        protocol: attempt.protocol,
        ...(attempt.topic ? { topic: attempt.topic } : {}),
        bytesHex: attempt.bytesHex,
        codec: attempt.codec,
        attempt: issued,
      },
    );
    if (cached(sent)) this.inflight.set(sent.device_id, sent.id);
    this.setTimer(sent.id, ACK_TIMEOUT_MS, () => void this.ackTimedOut(sent.id));
    void attempt.ack.then((outcome) => this.acked(sent.id, issued, outcome));
    const overtaken = this.early.get(sent.id);
    if (overtaken) {
      this.early.delete(sent.id);
      this.answered(overtaken);
    }
    return 'sent';
  }

  private acked(commandId: string, attempt: number, outcome: AckOutcome): void {
    const row = this.deps.store.get(commandId);
    if (!row || row.status !== 'SENT' || row.issued_times !== attempt || this.stopped) return;
    if (outcome.acked) {
      this.clearTimer(row.id);
      this.move(row, 'DELIVERED', { deliveredAt: this.deps.clock.now() });
      this.release(row);
    } else if ('refused' in outcome) {
      this.finish(row, 'FAILED', { reason: outcome.refused });
    } else {
      this.deps.log(`command ${commandId}: ${outcome.lost}; waiting for the ACK timeout`);
    }
  }

  private async ackTimedOut(commandId: string): Promise<void> {
    const row = this.deps.store.get(commandId);
    if (!row || row.status !== 'SENT' || this.stopped) return;
    if (row.issued_times > row.max_retransmit) {
      this.finish(row, 'TIMEOUT', { reason: 'no ACK from the device within 180 s' });
      return;
    }
    const timedOut = this.move(
      row,
      'TIMEOUT',
      {},
      {
        reason: `no ACK within 180 s; sending again (${row.issued_times} of ${row.max_retransmit} re-sends)`,
      },
    );
    const outcome = await this.send(timedOut);
    if (outcome !== 'sent') this.release(timedOut);
    if (outcome === 'unreachable' && !cached(timedOut)) {
      const current = this.row(commandId);
      if (current.status === 'TIMEOUT')
        this.finish(current, 'TIMEOUT', {
          reason: 'no ACK within 180 s and the device is not reachable to send again',
        });
    }
  }

  /** A device's answer (through the device link): SUCCESSFUL on result code 0, else FAILED. */
  private answered(response: DeviceResponse): void {
    const id = this.correlations.get(key(response.deviceId, response.commandId));
    const row = id === undefined ? undefined : this.deps.store.get(id);
    if (!row) {
      this.deps.log(`${response.deviceId} answered ${response.commandId}, which no command waits for`);
      return;
    }
    if (this.attempting.has(row.id) || row.status === 'PENDING') {
      this.early.set(row.id, response);
      return;
    }
    if (row.status !== 'SENT' && row.status !== 'DELIVERED') return;
    let current = row;
    if (row.status === 'SENT') {
      this.clearTimer(row.id);
      current = this.move(row, 'DELIVERED', { deliveredAt: response.at }, { answerBeforeAck: true });
      this.release(row);
    }
    const result: CommandResult = {
      resultCode: response.resultCode,
      ...(response.responseName !== undefined ? { responseName: response.responseName } : {}),
      body: response.body,
    };
    this.finish(current, response.resultCode === 0 ? 'SUCCESSFUL' : 'FAILED', result);
  }
}
