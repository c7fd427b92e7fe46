// SOTA over PCP on object 19 (R-15.2/15.3): 19 query version → 20 new version notice → answer every 21 with its
// shard → 22 download result → (app confirm) → 23 execute → 24 upgrade result. Requests go down as /19/1/0 writes;
// the device's frames come up through the device link, never through the business codec.
import type { TimerHandle } from '../clock.js';
import type { OtaReason, OtaStep } from '../contract/ota.js';
import type { DeviceLink, DevicePcpFrame } from '../device-link/index.js';
import { decodePcpFrame, encodePcpFrame, type PcpMessage } from '../protocols/pcp/pcp-frame.js';
import { readCoverage } from './coverage-reader.js';
import type { OtaRunner, RunContext } from './ota-runner.js';

const TRIES = 3;

/** Result bytes of a 20 or 23 reply and of 22/24 requests, as sub-task reasons. */
const reasonOfResult: Record<number, OtaReason> = {
  1: 'DeviceBusy',
  2: 'PoorSignal',
  3: 'AlreadyLatest',
  4: 'LowBattery',
  5: 'NoSpace',
  6: 'DownloadTimeout',
  7: 'CheckFailed',
  8: 'TypeUnsupported',
  9: 'NoMemory',
  0x0a: 'InstallFailed',
  0x7f: 'InternalError',
};
export const pcpReason = (result: number): OtaReason => reasonOfResult[result] ?? 'DeviceRefused';

interface Waiter {
  code: number;
  resolve: (message: PcpMessage | undefined) => void;
}

interface Session {
  ctx: RunContext;
  /** The step as this flow knows it (the context's row is the one read when the flow started). */
  phase: OtaStep;
  shardSize: number;
  shardCount: number;
  served: Set<number>;
  requests: Map<number, number>;
  lastShard: number | undefined;
  waiter: Waiter | undefined;
  deadline: TimerHandle | undefined;
}

/** The check code field: the description's versionCheckCode when it is 4 hex digits, else 0 (deprecated). */
function checkCodeOf(code: string | undefined): number {
  return code !== undefined && /^[0-9a-fA-F]{4}$/.test(code) ? parseInt(code, 16) : 0;
}

export class PcpRunner implements OtaRunner {
  private readonly sessions = new Map<string, Session>();
  private readonly bySub = new Map<string, string>();

  constructor(private readonly link: DeviceLink) {}

  listen(): void {
    this.link.onPcp((frame) => this.frame(frame));
  }

  private send(deviceId: string, message: PcpMessage): void {
    void this.link.lwm2m.writeDownlink(deviceId, encodePcpFrame(message)).catch(() => undefined);
  }

  private session(ctx: RunContext): Session {
    const shardSize = ctx.pkg.upgradeDesc?.deviceShard ?? 500;
    const s: Session = {
      ctx,
      phase: ctx.sub.step,
      shardSize,
      shardCount: Math.ceil(ctx.payload.length / shardSize),
      served: new Set(),
      requests: new Map(),
      lastShard: undefined,
      waiter: undefined,
      deadline: undefined,
    };
    this.sessions.set(ctx.sub.device_id, s);
    this.bySub.set(ctx.sub.id, ctx.sub.device_id);
    return s;
  }

  private stepTo(s: Session, step: OtaStep, text: string, change?: Parameters<RunContext['step']>[2]): void {
    s.phase = step;
    s.ctx.step(step, text, change);
  }

  /** Sends a platform request and waits for its reply, sending again on silence (TRIES times in a step timeout). */
  private ask(s: Session, message: PcpMessage, then: (reply: PcpMessage) => void): void {
    const deviceId = s.ctx.sub.device_id;
    let tries = 0;
    let timer: TimerHandle | undefined;
    const tryOnce = () => {
      tries++;
      this.send(deviceId, message);
      timer = s.ctx.after(Math.ceil(s.ctx.stepTimeoutMs / TRIES), () => {
        if (tries < TRIES) return tryOnce();
        s.waiter = undefined;
        s.ctx.finish(false, 'DeviceTimeout', `no answer to PCP ${message.code} after ${TRIES} tries`);
      });
    };
    s.waiter = {
      code: message.code,
      resolve: (reply) => {
        timer?.cancel();
        s.waiter = undefined;
        if (reply) then(reply);
      },
    };
    tryOnce();
  }

  private armDeadline(s: Session, what: string): void {
    s.deadline?.cancel();
    s.deadline = s.ctx.after(s.ctx.stepTimeoutMs, () => {
      const at = s.lastShard === undefined ? '' : ` after shard ${s.lastShard}`;
      const reason: OtaReason = s.phase === 'updating' ? 'DeviceTimeout' : 'DownloadTimeout';
      s.ctx.finish(false, reason, `no ${what} for ${Math.round(s.ctx.stepTimeoutMs / 1000)} s${at}`);
    });
  }

  run(ctx: RunContext): void {
    const s = this.session(ctx);
    this.stepTo(s, 'checkingVersion', 'PCP 19 query version sent');
    this.ask(s, { code: 19, kind: 'request' }, (reply) => {
      const current = reply.currentVersion ?? '';
      ctx.note(`PCP 19 reply: result ${reply.result ?? 0}, current version ${current}`);
      const verdict = ctx.versionVerdict(current);
      if (verdict) return ctx.finish(false, verdict, `the device runs ${current}`, { source_version: current });
      this.stepTo(s, 'readingCoverage', 'reading /4/0', { source_version: current });
      void readCoverage(this.link.lwm2m, ctx.sub.device_id, ctx.stepTimeoutMs).then((coverage) => {
        if (!ctx.active()) return;
        ctx.note(coverage.text);
        ctx.acquireSlot(coverage.cellId, coverage.level, () => this.notify(s));
      });
    });
  }

  private notify(s: Session): void {
    const { ctx } = s;
    this.stepTo(
      s,
      'notifying',
      `PCP 20 new version ${ctx.targetVersion}: ${s.shardCount} shards of ${s.shardSize} bytes`,
    );
    const message: PcpMessage = {
      code: 20,
      kind: 'request',
      targetVersion: ctx.targetVersion,
      shardSize: s.shardSize,
      shardCount: s.shardCount,
      checkCode: checkCodeOf(ctx.pkg.upgradeDesc?.versionCheckCode),
    };
    this.ask(s, message, (reply) => {
      const result = reply.result ?? 0;
      if (result !== 0) return ctx.finish(false, pcpReason(result), `PCP 20 answered ${result}`);
      this.stepTo(s, 'downloading', 'PCP 20 accepted: the device downloads');
      this.armDeadline(s, 'shard request');
    });
  }

  private execute(s: Session): void {
    this.stepTo(s, 'updating', 'PCP 23 execute upgrade sent');
    this.ask(s, { code: 23, kind: 'request' }, (reply) => {
      const result = reply.result ?? 0;
      if (result !== 0) return s.ctx.finish(false, pcpReason(result), `PCP 23 answered ${result}`);
      s.ctx.note('PCP 23 accepted: the device installs');
      this.armDeadline(s, 'upgrade result (PCP 24)');
    });
  }

  resume(ctx: RunContext): void {
    const step = ctx.sub.step;
    if (step !== 'downloading' && step !== 'downloaded' && step !== 'confirming' && step !== 'updating') {
      return this.run(ctx);
    }
    const s = this.session(ctx);
    if (step === 'downloading') this.armDeadline(s, 'shard request');
    else if (step === 'downloaded') this.execute(s);
    else if (step === 'updating') this.armDeadline(s, 'upgrade result (PCP 24)');
  }

  confirm(ctx: RunContext): void {
    const s = this.sessions.get(ctx.sub.device_id);
    if (s) {
      s.ctx = ctx;
      ctx.note('app confirmed the upgrade');
      this.execute(s);
    }
  }

  release(subTaskId: string): void {
    const deviceId = this.bySub.get(subTaskId);
    if (deviceId === undefined) return;
    this.bySub.delete(subTaskId);
    const s = this.sessions.get(deviceId);
    s?.deadline?.cancel();
    if (s?.ctx.sub.id === subTaskId) this.sessions.delete(deviceId);
  }

  private frame(frame: DevicePcpFrame): void {
    const decoded = decodePcpFrame(frame.bytes, { sender: 'device' });
    if (!decoded.valid) return;
    const m = decoded.message;
    const s = this.sessions.get(frame.deviceId);
    const reply = (message: Omit<PcpMessage, 'kind'>) => this.send(frame.deviceId, { ...message, kind: 'reply' });
    if (m.kind === 'reply') {
      if (s?.waiter?.code === m.code) s.waiter.resolve(m);
      return;
    }
    if (!s || !s.ctx.active()) {
      if (m.code === 21) reply({ code: 21, result: 0x80, shardIndex: m.shardIndex ?? 0 });
      else reply({ code: m.code, result: 0x80 });
      return;
    }
    if (m.code === 21) return this.shard(s, m);
    if (m.code === 22) {
      const result = m.result ?? 0;
      reply({ code: 22, result: 0 });
      s.deadline?.cancel();
      if (result !== 0) {
        const at = s.lastShard === undefined ? '' : ` (last shard asked: ${s.lastShard})`;
        return s.ctx.finish(false, pcpReason(result), `PCP 22 reported ${result}${at}`);
      }
      this.stepTo(s, 'downloaded', `PCP 22: downloaded ${s.served.size} of ${s.shardCount} shards`);
      if (s.ctx.appConfirm) {
        this.stepTo(s, 'confirming', 'waiting for the app to confirm the upgrade', { reason: 'WaitingAppConfirm' });
        return;
      }
      return this.execute(s);
    }
    if (m.code === 24) {
      const result = m.result ?? 0;
      reply({ code: 24, result: 0 });
      const version = m.currentVersion ?? '';
      if (result !== 0) return s.ctx.finish(false, pcpReason(result), `PCP 24 reported ${result}`);
      s.ctx.finish(true, 'Upgraded', `now running ${version}`, { current_version: version });
    }
  }

  private shard(s: Session, m: PcpMessage): void {
    const index = m.shardIndex ?? 0;
    const deviceId = s.ctx.sub.device_id;
    const answer = (result: number, data?: Uint8Array) =>
      this.send(deviceId, {
        code: 21,
        kind: 'reply',
        result,
        shardIndex: index,
        ...(data ? { shardData: Buffer.from(data).toString('hex') } : {}),
      });
    if (s.phase !== 'downloading' && s.phase !== 'notifying') return answer(0x80);
    if (m.targetVersion !== s.ctx.targetVersion) return answer(0x80);
    if (index >= s.shardCount) {
      s.ctx.note(`PCP 21 asked for shard ${index}: no such shard (0x81)`);
      return answer(0x81);
    }
    const times = (s.requests.get(index) ?? 0) + 1;
    s.requests.set(index, times);
    if (times > 1) s.ctx.note(`PCP 21 shard ${index} asked again (${times} times)`);
    else if (s.served.size === 0) s.ctx.note(`PCP 21 first shard asked: ${index}`);
    s.lastShard = index;
    s.served.add(index);
    answer(0, s.ctx.payload.subarray(index * s.shardSize, (index + 1) * s.shardSize));
    s.ctx.progress((s.served.size / s.shardCount) * 100);
    this.armDeadline(s, 'shard request');
  }
}
