// MQTT OTA (R-14.4, IoTDA `$ota`): version_query → version_report → firmware_upgrade / software_upgrade with a
// download URL, a Bearer token valid 24 h and the SHA-256 `sign` → the device downloads over HTTP (Range to resume)
// → upgrade_progress_report drives the sub-task.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { TimerHandle } from '../clock.js';
import type { OtaReason, OtaStep } from '../contract/ota.js';
import type { DeviceLink, DeviceEvent } from '../device-link/index.js';
import type { OtaRunner, RunContext } from './ota-runner.js';

export const TOKEN_VALID_S = 24 * 3600;

/** §3.3 result codes as sub-task reasons. */
const reasonOfCode: Record<number, OtaReason> = {
  1: 'DeviceBusy',
  2: 'PoorSignal',
  3: 'AlreadyLatest',
  4: 'LowBattery',
  5: 'NoSpace',
  6: 'DownloadTimeout',
  7: 'CheckFailed',
  8: 'TypeUnsupported',
  9: 'NoMemory',
  10: 'InstallFailed',
  255: 'InternalError',
};

const nullable = <T extends z.ZodType>(t: T) => t.nullish();
const versionReportSchema = z.object({ fw_version: nullable(z.string()), sw_version: nullable(z.string()) });
const progressSchema = z.object({
  result_code: z.number().int(),
  progress: nullable(z.number().min(0).max(100)),
  version: nullable(z.string()),
  description: nullable(z.string()),
});

/** What the download endpoint needs to serve one device's package. */
export interface DownloadGrant {
  subTaskId: string;
  token: string;
  expiresAt: number;
  fileName: string;
  payload: Uint8Array;
  /** Called with the bytes sent, so the step deadline moves while the device downloads. */
  onBytes(sent: number): void;
}

interface Session {
  ctx: RunContext;
  phase: OtaStep;
  deadline: TimerHandle | undefined;
}

const compactUtc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

export class MqttOtaRunner implements OtaRunner {
  private readonly sessions = new Map<string, Session>();
  private readonly bySub = new Map<string, string>();
  private readonly grants = new Map<string, DownloadGrant>();

  constructor(
    private readonly link: DeviceLink,
    private readonly now: () => number,
    /** The URL a device downloads this sub-task's package from (the download endpoint + /ota/<id>/<file>). */
    private readonly urlOf: (subTaskId: string, fileName: string) => string,
  ) {}

  listen(): void {
    this.link.onEvent((event) => this.event(event));
  }

  grant(subTaskId: string): DownloadGrant | undefined {
    const g = this.grants.get(subTaskId);
    return g && g.expiresAt > this.now() ? g : undefined;
  }

  private publish(deviceId: string, eventType: string, paras: Record<string, unknown>): void {
    const payload = JSON.stringify({
      services: [{ service_id: '$ota', event_type: eventType, event_time: compactUtc(this.now()), paras }],
    });
    void this.link.mqtt
      .publish(deviceId, { topic: `$oc/devices/${deviceId}/sys/events/down`, payload, qos: 1 })
      .catch(() => undefined);
  }

  private stepTo(s: Session, step: OtaStep, text: string, change?: Parameters<RunContext['step']>[2]): void {
    s.phase = step;
    s.ctx.step(step, text, change);
  }

  private armDeadline(s: Session, what: string, reason: OtaReason): void {
    s.deadline?.cancel();
    s.deadline = s.ctx.after(s.ctx.stepTimeoutMs, () =>
      s.ctx.finish(false, reason, `no ${what} for ${Math.round(s.ctx.stepTimeoutMs / 1000)} s`),
    );
  }

  private session(ctx: RunContext): Session {
    const s: Session = { ctx, phase: ctx.sub.step, deadline: undefined };
    this.sessions.set(ctx.sub.device_id, s);
    this.bySub.set(ctx.sub.id, ctx.sub.device_id);
    return s;
  }

  run(ctx: RunContext): void {
    const s = this.session(ctx);
    this.stepTo(s, 'checkingVersion', '$ota version_query sent');
    this.publish(ctx.sub.device_id, 'version_query', {});
    this.armDeadline(s, 'version_report', 'DeviceTimeout');
  }

  resume(ctx: RunContext): void {
    const s = this.session(ctx);
    // A token lives in memory: after a restart the device is sent a fresh one and resumes its download by Range.
    if (s.phase === 'downloading' || s.phase === 'updating') this.sendUpgrade(s);
    else this.run(ctx);
  }

  private sendUpgrade(s: Session): void {
    const { ctx } = s;
    const fileName = ctx.pkg.fileName.split('/').pop() ?? ctx.pkg.fileName;
    const url = this.urlOf(ctx.sub.id, fileName);
    const token = randomBytes(24).toString('hex');
    this.grants.set(ctx.sub.id, {
      subTaskId: ctx.sub.id,
      token,
      expiresAt: this.now() + TOKEN_VALID_S * 1000,
      fileName,
      payload: ctx.payload,
      onBytes: (sent) => {
        if (!ctx.active()) return;
        ctx.progress((sent / Math.max(1, ctx.payload.length)) * 100);
        this.armDeadline(s, 'download or progress report', 'DownloadTimeout');
      },
    });
    const eventType = ctx.pkg.kind === 'firmware' ? 'firmware_upgrade' : 'software_upgrade';
    this.publish(ctx.sub.device_id, eventType, {
      version: ctx.targetVersion,
      url,
      file_size: ctx.payload.length,
      file_name: fileName,
      access_token: token,
      expires: TOKEN_VALID_S,
      sign: createHash('sha256').update(ctx.payload).digest('hex'),
    });
    this.stepTo(s, 'downloading', `$ota ${eventType} sent: ${url}`);
    this.armDeadline(s, 'download or progress report', 'DownloadTimeout');
  }

  private event(event: DeviceEvent): void {
    if (event.serviceId !== '$ota') return;
    const s = this.sessions.get(event.deviceId);
    if (!s || !s.ctx.active()) return;
    if (event.eventType === 'version_report' && s.phase === 'checkingVersion') this.versionReport(s, event.paras);
    if (event.eventType === 'upgrade_progress_report') this.progressReport(s, event.paras);
  }

  private versionReport(s: Session, paras: Record<string, unknown>): void {
    const r = versionReportSchema.safeParse(paras);
    if (!r.success) return;
    const current = (s.ctx.pkg.kind === 'firmware' ? r.data.fw_version : r.data.sw_version) ?? '';
    s.ctx.note(`$ota version_report: fw ${r.data.fw_version ?? '-'}, sw ${r.data.sw_version ?? '-'}`);
    const verdict = s.ctx.versionVerdict(current);
    if (verdict) return s.ctx.finish(false, verdict, `the device runs ${current}`, { source_version: current });
    s.ctx.step(s.phase, `source version ${current}`, { source_version: current });
    this.sendUpgrade(s);
  }

  private progressReport(s: Session, paras: Record<string, unknown>): void {
    const r = progressSchema.safeParse(paras);
    if (!r.success) return;
    const { result_code: code, progress, version, description } = r.data;
    s.ctx.note(
      `$ota upgrade_progress_report: result ${code}, progress ${progress ?? '-'}${description ? `, ${description}` : ''}`,
    );
    if (code !== 0)
      return s.ctx.finish(false, reasonOfCode[code] ?? 'DeviceRefused', description ?? `result_code ${code}`);
    if (progress === 100 || (version && version === s.ctx.targetVersion && progress === undefined)) {
      return s.ctx.finish(true, 'Upgraded', `now running ${version ?? s.ctx.targetVersion}`, {
        current_version: version ?? s.ctx.targetVersion,
      });
    }
    if (progress !== null && progress !== undefined) s.ctx.progress(progress);
    this.armDeadline(s, 'download or progress report', 'DownloadTimeout');
  }

  release(subTaskId: string): void {
    this.grants.delete(subTaskId);
    const deviceId = this.bySub.get(subTaskId);
    if (deviceId === undefined) return;
    this.bySub.delete(subTaskId);
    const s = this.sessions.get(deviceId);
    s?.deadline?.cancel();
    if (s?.ctx.sub.id === subTaskId) this.sessions.delete(deviceId);
  }
}
