// Upgrade tasks (R-14.5): a task waits 10 s (or until its start time), then starts each device when it can be
// reached and has no commands pending, one active upgrade per device; a protocol runner drives each device; failed
// devices are retried by the policy; the task ends when every device has.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import type {
  CoverageLevel,
  CreateOtaTask,
  OtaCell,
  OtaMethod,
  OtaPolicy,
  OtaReason,
  OtaSubTask,
  OtaTask,
  OtaTimelineEntry,
} from '../contract/ota.js';
import { createOtaTaskSchema } from '../contract/ota.js';
import type { StoredPackage } from '../contract/packages.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DeviceLink, PresenceEvent } from '../device-link/index.js';
import { DomainError } from '../domain-error.js';
import { sourceVersionAllowed } from './packages/index.js';
import { CellSlots } from './cell-slots.js';
import type { OtaRunner, RunContext } from './ota-runner.js';
import { OtaStore, policyOf, subTaskView, type SubTaskChange, type SubTaskRow, type TaskRow } from './ota-store.js';

export const TASK_WAIT_MS = 10_000;
const COMMANDS_RECHECK_MS = 10_000;
/** How long the devices that started with one hold the task's cell slots back while it reports its coverage. */
const COVERAGE_REPORT_WAIT_MS = 30_000;
/** Flows that read coverage and take a cell slot (MQTT devices have no cell). */
const cellFlows = new Set<OtaMethod>(['pcp-sota', 'lwm2m-fota']);

/** Device answers worth another attempt; the others (already latest, wrong source version …) would fail again. */
const retryable = new Set<OtaReason>([
  'DeviceBusy',
  'PoorSignal',
  'LowBattery',
  'DownloadTimeout',
  'DeviceTimeout',
  'InternalError',
  'InstallFailed',
  'CheckFailed',
]);

export interface OtaDevices {
  productOf(deviceId: string): { productId: string; model: ProductModel } | undefined;
}

export interface OtaPackages {
  require(id: string): StoredPackage;
  payload(id: string): Promise<Uint8Array>;
}

/** core/groups: the devices a group (with its sub-groups) or a tag holds now, in the calling app's scope. */
export interface OtaTargets {
  group(groupId: string, appId: string | undefined): string[];
  tag(tagId: string, appId: string | undefined): string[];
}

export interface OtaServiceDeps {
  store: OtaStore;
  clock: Clock;
  link: DeviceLink;
  devices: OtaDevices;
  packages: OtaPackages;
  /** core/commands: the device has commands waiting to be sent (no upgrade then, R-14.5). */
  commandsPending(deviceId: string): boolean;
  runners: Record<OtaMethod, OtaRunner>;
  targets?: OtaTargets;
  onTask?(task: OtaTask): void;
  onSubTask?(sub: OtaSubTask, task: OtaTask): void;
}

/** How a device of this product takes this package, or why it cannot. */
export function methodFor(pkg: StoredPackage, model: ProductModel): { method: OtaMethod } | { refusal: string } {
  if (
    pkg.deviceType !== model.deviceType ||
    pkg.manufacturerName !== model.manufacturerName ||
    pkg.model !== model.model
  ) {
    return {
      refusal: `the package is for ${pkg.manufacturerName} ${pkg.deviceType} ${pkg.model}, the device's product is ${model.manufacturerName} ${model.deviceType} ${model.model}`,
    };
  }
  if (model.protocolType === 'MQTT') return { method: 'mqtt-ota' };
  if (pkg.kind === 'software') {
    return model.omCapability.upgrade?.supported === true
      ? { method: 'pcp-sota' }
      : { refusal: 'the product does not declare software upgrade over PCP' };
  }
  return model.omCapability.firmwareUpgrade?.supported === true
    ? { method: 'lwm2m-fota' }
    : { refusal: 'the product does not declare firmware upgrade over LwM2M' };
}

const rampWithoutRate = (p: OtaPolicy) =>
  p.rampMaxPerMinute !== undefined && (p.ratePerMinute === 0 || p.rampMaxPerMinute < p.ratePerMinute);

/**
 * The rollout rate at `now`: ratePerMinute, doubled every rampDoubleEveryS since the task started, at most
 * rampMaxPerMinute; `raisedAt` is when it next goes up (Infinity when it no longer does).
 */
export function rolloutRate(p: OtaPolicy, startedAt: number, now: number): { perMinute: number; raisedAt: number } {
  if (p.rampDoubleEveryS === undefined || p.rampMaxPerMinute === undefined) {
    return { perMinute: p.ratePerMinute, raisedAt: Infinity };
  }
  const everyMs = p.rampDoubleEveryS * 1000;
  const steps = Math.max(0, Math.floor((now - startedAt) / everyMs));
  const perMinute = Math.min(p.rampMaxPerMinute, p.ratePerMinute * 2 ** Math.min(steps, 40));
  return { perMinute, raisedAt: perMinute >= p.rampMaxPerMinute ? Infinity : startedAt + (steps + 1) * everyMs };
}

interface Resolved {
  kind: 'devices' | 'group' | 'tag';
  id: string;
  deviceIds: string[];
  /** Devices of the group or tag the package does not fit. */
  skipped: number;
}

const otaError = (code: string, message: string, path?: string) => new DomainError(code, message, path);

interface Live {
  timers: Set<TimerHandle>;
}

export class OtaService {
  private readonly slots = new CellSlots();
  private readonly payloads = new Map<string, Promise<Uint8Array>>();
  private readonly loaded = new Map<string, Uint8Array>();
  private readonly live = new Map<string, Live>();
  /** Open (waiting or running) sub-task per device, so a presence event costs a map lookup. */
  private readonly openByDevice = new Map<string, string>();
  private readonly taskTimers = new Map<string, TimerHandle>();
  private readonly waitTimers = new Map<string, TimerHandle>();
  /** device_online policy: devices seen coming online or reporting since their task started. */
  private readonly seen = new Set<string>();
  private readonly startedAt = new Map<string, number[]>();
  private stopPresence: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly deps: OtaServiceDeps) {}

  private get store(): OtaStore {
    return this.deps.store;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Picks up open tasks after a restart: their packages are read first, so a resumed device is answered at once. */
  async start(): Promise<void> {
    this.stopped = false;
    const open = this.store.openTasks();
    for (const task of open) {
      const bytes = await this.deps.packages.payload(task.package_id).catch(() => undefined);
      if (bytes) {
        this.payloads.set(task.package_id, Promise.resolve(bytes));
        this.loaded.set(task.package_id, bytes);
      }
    }
    this.stopPresence = this.deps.link.onPresence((e) => this.presence(e));
    for (const sub of this.store.openSubs()) this.openByDevice.set(sub.device_id, sub.id);
    for (const task of open) this.armTask(task, true);
    for (const runner of new Set(Object.values(this.deps.runners))) runner.listen();
  }

  stop(): void {
    this.stopped = true;
    this.stopPresence?.();
    for (const t of this.taskTimers.values()) t.cancel();
    for (const t of this.waitTimers.values()) t.cancel();
    for (const [id, live] of this.live) {
      for (const t of live.timers) t.cancel();
      for (const runner of Object.values(this.deps.runners)) runner.release(id);
    }
    this.taskTimers.clear();
    this.waitTimers.clear();
    this.live.clear();
    this.openByDevice.clear();
  }

  // --- Queries ---

  /** `appId`: only the tasks that northbound application created. */
  list(appId?: string): OtaTask[] {
    return this.store
      .tasks()
      .filter((t) => appId === undefined || t.app_id === appId)
      .map((t) => this.store.taskView(t));
  }

  /** `appId`: another application's task is "not found" for it. */
  get(taskId: string, appId?: string): OtaTask {
    return this.store.taskView(this.requireTask(taskId, appId));
  }

  subTasks(taskId: string, status?: OtaSubTask['status'], appId?: string): OtaSubTask[] {
    this.requireTask(taskId, appId);
    return this.store.subsOfTask(taskId, status).map(subTaskView);
  }

  cells(taskId: string): OtaCell[] {
    this.requireTask(taskId);
    return this.slots.view(taskId);
  }

  timeline(subTaskId: string): OtaTimelineEntry[] {
    this.requireSub(subTaskId);
    return this.store.timeline(subTaskId);
  }

  history(deviceId: string): OtaSubTask[] {
    return this.store.subsOfDevice(deviceId).map(subTaskView);
  }

  /** For the package library: a package an open task uses cannot be deleted. */
  packageInUse(packageId: string): string | undefined {
    const taskId = this.store.taskUsingPackage(packageId);
    return taskId ? `upgrade task ${taskId} is open` : undefined;
  }

  forgetDevice(deviceId: string): void {
    const open = this.openByDevice.get(deviceId);
    if (open) this.finish(open, false, 'Stopped', 'the device was deleted');
    this.store.deleteByDevice(deviceId);
  }

  // --- Commands ---

  /** `appId`: the northbound application creating the task (it alone sees it there); groups resolve in its scope. */
  create(input: CreateOtaTask, appId?: string): OtaTask {
    const body = createOtaTaskSchema.parse(input);
    const pkg = this.deps.packages.require(body.packageId);
    const policy = body.policy;
    if (policy.executeType === 'custom' && policy.startTime === undefined) {
      throw otaError('OTA_BAD_POLICY', 'executeType custom needs a startTime', 'body.policy.startTime');
    }
    if (
      (policy.rampDoubleEveryS === undefined) !== (policy.rampMaxPerMinute === undefined) ||
      rampWithoutRate(policy)
    ) {
      throw otaError(
        'OTA_BAD_POLICY',
        'a ramp-up needs ratePerMinute, rampDoubleEveryS and rampMaxPerMinute (>= ratePerMinute) together',
        'body.policy.rampMaxPerMinute',
      );
    }
    if ((policy.abortPercent === undefined) !== (policy.abortAfter === undefined)) {
      throw otaError('OTA_BAD_POLICY', 'an abort threshold needs both abortPercent and abortAfter', 'body.policy');
    }
    const { deviceIds, resolved } = this.resolveTargets(body, pkg, appId);
    const methods = new Map<string, OtaMethod>();
    for (const [i, deviceId] of deviceIds.entries()) {
      const product = this.deps.devices.productOf(deviceId);
      if (!product) throw otaError('DEVICE_NOT_FOUND', `no device ${deviceId}`, `body.deviceIds.${i}`);
      const verdict = methodFor(pkg, product.model);
      if ('refusal' in verdict) {
        throw otaError('OTA_PACKAGE_MISMATCH', `device ${deviceId}: ${verdict.refusal}`, `body.deviceIds.${i}`);
      }
      methods.set(deviceId, verdict.method);
    }
    const now = this.now();
    const taskId = randomUUID();
    const task: TaskRow = {
      id: taskId,
      // The package's name alone: the UI words the device count in its own language.
      name: body.name ?? pkg.name,
      kind: pkg.kind,
      package_id: pkg.id,
      package_name: pkg.name,
      target_version: pkg.version,
      policy_json: JSON.stringify(policy),
      app_confirm: body.appConfirm ? 1 : 0,
      status: 'waiting',
      created_at: now,
      started_at: null,
      finished_at: null,
      app_id: appId ?? null,
      targets_json: JSON.stringify(
        resolved.map(({ kind, id, deviceIds: ids, skipped }) => ({ kind, id, deviceCount: ids.length, skipped })),
      ),
      stop_reason: null,
    };
    const sources = new Map<string, string>();
    for (const r of resolved) {
      if (r.kind === 'devices') continue;
      for (const id of r.deviceIds) if (!sources.has(id)) sources.set(id, ` (from ${r.kind} ${r.id})`);
    }
    const sourceOf = (deviceId: string) => sources.get(deviceId) ?? '';
    const subs = deviceIds.map((deviceId) => {
      const conflict = this.openByDevice.get(deviceId);
      const conflictTask = conflict === undefined ? undefined : this.store.sub(conflict)?.task_id;
      return {
        id: randomUUID(),
        task_id: taskId,
        device_id: deviceId,
        method: methods.get(deviceId)!,
        status: conflictTask ? ('fail' as const) : ('waiting' as const),
        step: 'queued' as const,
        reason: conflictTask ? ('TaskConflict' as const) : null,
        detail: conflictTask ? `the device is being upgraded by task ${conflictTask}` : null,
        finished_at: conflictTask ? now : null,
      };
    });
    this.store.insertTask(task, subs);
    for (const sub of subs) {
      if (sub.status === 'waiting') this.openByDevice.set(sub.device_id, sub.id);
      this.store.addTimeline(sub.id, now, 'queued', sub.detail ?? `task ${taskId} created${sourceOf(sub.device_id)}`);
    }
    this.armTask(task, false);
    return this.publishTask(taskId);
  }

  /**
   * Devices named, then those of each group and tag, once each in that order. A group or tag may hold devices of
   * other products: only those the package fits are taken (named devices that it does not fit are refused).
   */
  private resolveTargets(
    body: { deviceIds: string[]; groupIds: string[]; tagIds: string[] },
    pkg: StoredPackage,
    appId: string | undefined,
  ): { deviceIds: string[]; resolved: Resolved[] } {
    const resolved: Resolved[] = [];
    if (body.deviceIds.length) {
      resolved.push({ kind: 'devices', id: 'deviceIds', deviceIds: body.deviceIds, skipped: 0 });
    }
    const targets = this.deps.targets;
    if ((body.groupIds.length || body.tagIds.length) && !targets) {
      throw otaError('OTA_NO_TARGET', 'groups and tags cannot be resolved here', 'body.groupIds');
    }
    const fitting = (kind: 'group' | 'tag', id: string, ids: string[]): Resolved => {
      const fit = ids.filter((deviceId) => {
        const product = this.deps.devices.productOf(deviceId);
        return product !== undefined && !('refusal' in methodFor(pkg, product.model));
      });
      return { kind, id, deviceIds: fit, skipped: ids.length - fit.length };
    };
    for (const groupId of new Set(body.groupIds))
      resolved.push(fitting('group', groupId, targets!.group(groupId, appId)));
    for (const tagId of new Set(body.tagIds)) resolved.push(fitting('tag', tagId, targets!.tag(tagId, appId)));
    const deviceIds = [...new Set(resolved.flatMap((r) => r.deviceIds))];
    if (deviceIds.length === 0) {
      const named = resolved.length ? resolved.map((r) => `${r.kind} ${r.id}`).join(', ') : 'no target';
      throw otaError('OTA_NO_TARGET', `the targets hold no device (${named})`, 'body.deviceIds');
    }
    if (deviceIds.length > 10_000) {
      throw otaError('OTA_NO_TARGET', `the targets hold ${deviceIds.length} devices, at most 10000`, 'body.groupIds');
    }
    return { deviceIds, resolved };
  }

  stopTask(taskId: string): OtaTask {
    const task = this.requireTask(taskId);
    if (task.status !== 'waiting' && task.status !== 'running') {
      throw otaError('OTA_TASK_NOT_OPEN', `task ${taskId} is ${task.status}`);
    }
    this.taskTimers.get(taskId)?.cancel();
    this.store.setTask(taskId, 'stopped', null, this.now());
    for (const sub of this.store.subsOfTask(taskId, 'waiting')) this.endWaiting(sub, 'Stopped', 'the task was stopped');
    return this.publishTask(taskId);
  }

  retryFailed(taskId: string): OtaTask {
    const task = this.requireTask(taskId);
    const failed = this.store.subsOfTask(taskId, 'fail').filter((s) => !this.openByDevice.has(s.device_id));
    if (failed.length === 0) throw otaError('OTA_NOTHING_TO_RETRY', `task ${taskId} has no failed device to retry`);
    const now = this.now();
    this.store.setTask(taskId, 'running', task.started_at ?? now, null);
    for (const sub of failed) {
      this.store.change(sub.id, { status: 'waiting', step: 'queued', reason: null, detail: null, finished_at: null });
      this.store.addTimeline(sub.id, now, 'queued', 'retry requested');
      this.openByDevice.set(sub.device_id, sub.id);
    }
    for (const sub of failed) this.tryStart(sub.id);
    return this.publishTask(taskId);
  }

  deleteTask(taskId: string): void {
    const task = this.requireTask(taskId);
    if (task.status === 'running' || task.status === 'waiting' || this.store.counts(taskId).running > 0) {
      throw otaError('OTA_TASK_RUNNING', `task ${taskId} is ${task.status}: stop it before deleting it`);
    }
    this.store.deleteTask(taskId);
    this.slots.forgetTask(taskId);
  }

  confirm(subTaskId: string): OtaSubTask {
    const sub = this.requireSub(subTaskId);
    if (sub.status !== 'running' || sub.step !== 'confirming') {
      throw otaError('OTA_NOT_AWAITING_CONFIRM', `device ${sub.device_id} is not waiting for an app confirm`);
    }
    const ctx = this.contextFor(sub.id);
    if (ctx) this.deps.runners[sub.method].confirm?.(ctx);
    return subTaskView(this.requireSub(subTaskId));
  }

  // --- Scheduling ---

  private armTask(task: TaskRow, restarted: boolean): void {
    if (task.status === 'waiting') {
      const policy = policyOf(task);
      const at =
        policy.executeType === 'custom' && policy.startTime
          ? Math.max(Date.parse(policy.startTime), task.created_at + TASK_WAIT_MS)
          : task.created_at + TASK_WAIT_MS;
      if (policy.executeType === 'custom') {
        for (const sub of this.store.subsOfTask(task.id, 'waiting')) this.setReason(sub, 'WaitingStartTime');
      }
      this.taskTimers.set(
        task.id,
        this.deps.clock.setTimeout(() => this.startTask(task.id), Math.max(0, at - this.now())),
      );
      return;
    }
    for (const sub of this.store.subsOfTask(task.id)) {
      if (sub.status === 'running' && restarted) this.resume(sub);
      else if (sub.status === 'waiting') this.tryStart(sub.id);
    }
  }

  private startTask(taskId: string): void {
    this.taskTimers.delete(taskId);
    const task = this.store.task(taskId);
    if (this.stopped || task?.status !== 'waiting') return;
    this.store.setTask(taskId, 'running', this.now(), null);
    this.publishTask(taskId);
    for (const sub of this.store.subsOfTask(taskId, 'waiting')) this.tryStart(sub.id);
    this.completeIfDone(taskId);
  }

  private presence(e: PresenceEvent): void {
    if (this.stopped) return;
    const subId = this.openByDevice.get(e.deviceId);
    if (!subId) return;
    if (e.kind !== 'offline') this.seen.add(subId);
    const live = this.live.has(subId);
    if (!live) {
      if (e.kind !== 'offline') this.tryStart(subId);
      return;
    }
    if (e.kind === 'offline') return;
    const ctx = this.contextFor(subId);
    const sub = ctx?.sub;
    if (ctx && sub) this.deps.runners[sub.method].presence?.(ctx, e.kind);
  }

  private waitUntil(subId: string, at: number): void {
    this.waitTimers.get(subId)?.cancel();
    this.waitTimers.set(
      subId,
      this.deps.clock.setTimeout(
        () => {
          this.waitTimers.delete(subId);
          this.tryStart(subId);
        },
        Math.max(0, at - this.now()),
      ),
    );
  }

  private setReason(sub: SubTaskRow, reason: OtaReason, detail: string | null = null): void {
    if (sub.reason === reason && sub.detail === detail) return;
    this.store.change(sub.id, { reason, detail });
    this.publishSub(sub.id);
  }

  /** Starts a waiting device when its task runs, its retry time has come and it can be reached. */
  private tryStart(subId: string): void {
    if (this.stopped || this.live.has(subId)) return;
    const sub = this.store.sub(subId);
    if (sub?.status !== 'waiting') return;
    const task = this.store.task(sub.task_id);
    if (task?.status !== 'running') return;
    const policy = policyOf(task);
    const now = this.now();
    if (sub.retry_at !== null && sub.retry_at > now) return this.waitUntil(subId, sub.retry_at);
    const reachable = this.deps.link.reachableBy(sub.device_id) !== undefined;
    const onlineSinceStart = policy.executeType !== 'device_online' || this.seen.has(subId);
    if (!reachable || !onlineSinceStart) return this.setReason(sub, 'WaitingDeviceOnline');
    if (this.deps.commandsPending(sub.device_id)) {
      this.setReason(sub, 'CommandsPending', 'commands are waiting to be sent to the device');
      return this.waitUntil(subId, now + COMMANDS_RECHECK_MS);
    }
    if (policy.ratePerMinute > 0) {
      const since = now - 60_000;
      const recent = (this.startedAt.get(task.id) ?? this.store.startsSince(task.id, since)).filter((t) => t > since);
      this.startedAt.set(task.id, recent);
      const rate = rolloutRate(policy, task.started_at ?? now, now);
      if (recent.length >= rate.perMinute) {
        this.setReason(sub, 'WaitingRollout', `${rate.perMinute} devices per minute`);
        // The window frees a start when the oldest counted one leaves it, or the ramp raises the rate first.
        return this.waitUntil(subId, Math.min(recent[recent.length - rate.perMinute]! + 60_000, rate.raisedAt));
      }
      recent.push(now);
    }
    this.store.change(subId, {
      status: 'running',
      step: 'checkingVersion',
      attempts: sub.attempts + 1,
      started_at: now,
      finished_at: null,
      reason: null,
      detail: null,
      retry_at: null,
      progress: 0,
    });
    this.store.addTimeline(subId, now, 'checkingVersion', `attempt ${sub.attempts + 1} started`);
    const live = { timers: new Set<TimerHandle>() };
    this.live.set(subId, live);
    if (cellFlows.has(sub.method)) {
      this.slots.expect(task.id, subId);
      const wait = this.deps.clock.setTimeout(() => {
        live.timers.delete(wait);
        this.slots.unexpect(task.id, subId);
      }, COVERAGE_REPORT_WAIT_MS);
      live.timers.add(wait);
    }
    this.publishSub(subId);
    this.withPayload(subId, (ctx) => this.deps.runners[ctx.sub.method].run(ctx));
  }

  private resume(sub: SubTaskRow): void {
    this.live.set(sub.id, { timers: new Set() });
    this.store.addTimeline(sub.id, this.now(), sub.step, 'resumed after a restart');
    this.withPayload(sub.id, (ctx) => this.deps.runners[ctx.sub.method].resume(ctx));
  }

  private withPayload(subId: string, then: (ctx: RunContext) => void): void {
    const sub = this.store.sub(subId)!;
    const task = this.store.task(sub.task_id)!;
    const loaded = this.loaded.get(task.package_id);
    if (loaded) {
      const ctx = this.contextFor(subId, loaded);
      if (ctx) then(ctx);
      return;
    }
    let payload = this.payloads.get(task.package_id);
    if (!payload) {
      payload = this.deps.packages.payload(task.package_id);
      this.payloads.set(task.package_id, payload);
    }
    payload.then(
      (bytes) => {
        const ctx = this.contextFor(subId, bytes);
        if (ctx) then(ctx);
      },
      (error: unknown) => {
        this.payloads.delete(task.package_id);
        this.finish(subId, false, 'InternalError', `the package could not be read: ${String(error)}`);
      },
    );
  }

  /** The context a runner works with; undefined once the sub-task is not live. */
  private contextFor(subId: string, payload?: Uint8Array): RunContext | undefined {
    const live = this.live.get(subId);
    const sub = this.store.sub(subId);
    if (!live || !sub) return undefined;
    const task = this.store.task(sub.task_id)!;
    if (payload) this.loaded.set(task.package_id, payload);
    const bytes = payload ?? this.loaded.get(task.package_id);
    if (!bytes) return undefined;
    const pkg = this.deps.packages.require(task.package_id);
    const policy: OtaPolicy = policyOf(task);
    const active = () => this.live.get(subId) === live;
    return {
      sub,
      pkg,
      payload: bytes,
      targetVersion: task.target_version,
      appConfirm: task.app_confirm === 1,
      stepTimeoutMs: policy.stepTimeoutS * 1000,
      active,
      step: (step, text, change = {}) => {
        if (!active()) return;
        this.store.change(subId, { ...change, step });
        this.store.addTimeline(subId, this.now(), step, text);
        this.publishSub(subId);
      },
      note: (text) => {
        if (active()) this.store.addTimeline(subId, this.now(), this.store.sub(subId)!.step, text);
      },
      progress: (percent) => {
        if (active()) this.store.change(subId, { progress: Math.min(100, Math.max(0, percent)) });
      },
      versionVerdict: (current) => {
        if (current === task.target_version) return 'AlreadyLatest';
        return sourceVersionAllowed(pkg.supportSourceVersionList, current) ? undefined : 'SourceVersionNotSupported';
      },
      acquireSlot: (cellId, level: CoverageLevel, then) => {
        if (!active()) return;
        if (cellId === undefined) {
          this.finish(subId, false, 'CellUnknown', 'the device did not report its cell id (/4/0/8)');
          return;
        }
        this.store.change(subId, {
          step: 'waitingSlot',
          reason: 'WaitingCoverageSlot',
          cell_id: cellId,
          coverage_level: level,
        });
        this.publishSub(subId);
        this.slots.acquire(task.id, cellId, subId, level, () => {
          if (!active()) return this.slots.release(task.id, subId);
          this.store.change(subId, { reason: null });
          this.store.addTimeline(subId, this.now(), 'waitingSlot', `slot in cell ${cellId} (level ${level})`);
          then();
        });
      },
      finish: (ok, reason, detail, change) => {
        if (active()) this.finish(subId, ok, reason, detail, change);
      },
      after: (ms, fn) => {
        const handle = this.deps.clock.setTimeout(() => {
          live.timers.delete(handle);
          if (active()) fn();
        }, ms);
        live.timers.add(handle);
        return {
          cancel: () => {
            handle.cancel();
            live.timers.delete(handle);
          },
        };
      },
    };
  }

  private endWaiting(sub: SubTaskRow, reason: OtaReason, detail: string): void {
    this.waitTimers.get(sub.id)?.cancel();
    this.waitTimers.delete(sub.id);
    this.store.change(sub.id, { status: 'stopped', reason, detail, finished_at: this.now() });
    this.store.addTimeline(sub.id, this.now(), sub.step, detail);
    if (this.openByDevice.get(sub.device_id) === sub.id) this.openByDevice.delete(sub.device_id);
    this.publishSub(sub.id);
  }

  private finish(subId: string, ok: boolean, reason: OtaReason, detail?: string, change: SubTaskChange = {}): void {
    const live = this.live.get(subId);
    if (live) for (const t of live.timers) t.cancel();
    this.live.delete(subId);
    const sub = this.store.sub(subId);
    if (!sub) return;
    this.deps.runners[sub.method].release(subId);
    this.slots.release(sub.task_id, subId);
    const task = this.store.task(sub.task_id)!;
    const policy = policyOf(task);
    const now = this.now();
    const retry = !ok && retryable.has(reason) && sub.attempts <= policy.retryTimes && task.status === 'running';
    if (retry) {
      const at = now + policy.retryIntervalS * 1000;
      this.store.change(subId, {
        ...change,
        status: 'waiting',
        step: 'queued',
        reason: 'WaitingRetry',
        detail: `${reason}${detail ? `: ${detail}` : ''}`,
        retry_at: at,
      });
      this.store.addTimeline(
        subId,
        now,
        sub.step,
        `${reason}${detail ? `: ${detail}` : ''}; retry at ${new Date(at).toISOString()}`,
      );
      this.publishSub(subId);
      this.waitUntil(subId, at);
      return;
    }
    this.store.change(subId, {
      ...change,
      status: ok ? 'success' : 'fail',
      ...(ok ? { step: 'done' as const, progress: 100 } : {}),
      reason,
      detail: detail ?? null,
      finished_at: now,
      retry_at: null,
    });
    this.store.addTimeline(
      subId,
      now,
      ok ? 'done' : sub.step,
      `${ok ? 'success' : 'failed'}: ${reason}${detail ? ` (${detail})` : ''}`,
    );
    if (this.openByDevice.get(sub.device_id) === subId) this.openByDevice.delete(sub.device_id);
    this.seen.delete(subId);
    this.publishSub(subId);
    if (!ok) this.checkAbort(task);
    this.completeIfDone(task.id);
  }

  /** Abort threshold: among the first abortAfter devices to end, more than abortPercent % failed. */
  private checkAbort(task: TaskRow): void {
    const policy = policyOf(task);
    const current = this.store.task(task.id);
    if (policy.abortPercent === undefined || policy.abortAfter === undefined || current?.status !== 'running') return;
    const first = this.store.firstEnded(task.id, policy.abortAfter);
    const failed = first.filter((s) => s === 'fail').length;
    if (failed <= (policy.abortPercent / 100) * policy.abortAfter) return;
    this.taskTimers.get(task.id)?.cancel();
    const text = `abort threshold: ${failed} of the first ${policy.abortAfter} devices failed (more than ${policy.abortPercent} %)`;
    this.store.setTask(task.id, 'stopped', null, this.now());
    this.store.setStopReason(task.id, text);
    for (const sub of this.store.subsOfTask(task.id, 'waiting')) this.endWaiting(sub, 'AbortThreshold', text);
    this.publishTask(task.id);
  }

  private completeIfDone(taskId: string): void {
    const task = this.store.task(taskId);
    if (task?.status !== 'running') return;
    const c = this.store.counts(taskId);
    if (c.waiting + c.running > 0) return;
    this.store.setTask(taskId, c.fail > 0 ? 'fail' : 'success', null, this.now());
    this.slots.forgetTask(taskId);
    this.publishTask(taskId);
  }

  private publishTask(taskId: string): OtaTask {
    const view = this.store.taskView(this.requireTask(taskId));
    this.deps.onTask?.(view);
    return view;
  }

  private publishSub(subId: string): void {
    const sub = this.store.sub(subId);
    const task = sub && this.store.task(sub.task_id);
    if (sub && task) this.deps.onSubTask?.(subTaskView(sub), this.store.taskView(task));
  }

  private requireTask(taskId: string, appId?: string): TaskRow {
    const task = this.store.task(taskId);
    if (!task || (appId !== undefined && task.app_id !== appId))
      throw otaError('OTA_TASK_NOT_FOUND', `no upgrade task ${taskId}`);
    return task;
  }

  private requireSub(subTaskId: string): SubTaskRow {
    const sub = this.store.sub(subTaskId);
    if (!sub) throw otaError('OTA_SUBTASK_NOT_FOUND', `no upgrade sub-task ${subTaskId}`);
    return sub;
  }
}
