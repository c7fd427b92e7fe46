// FOTA over LwM2M object 5: read /3/0/3 → coverage (/4/0) → observe /5/0/3 → write the package URI to
// /5/0/1 → the device fetches the package block-wise (Block2) from our CoAP port → State 2 → execute /5/0/2 → read
// /5/0/5 → cancel the observation → result.
import type { ParsedPacket } from 'coap-packet';
import type { TimerHandle } from '../clock.js';
import type { Lwm2mValueEvent } from '../contract/lwm2m.js';
import type { OtaReason, OtaStep } from '../contract/ota.js';
import type { DeviceLink } from '../device-link/index.js';
import { blockOption, optionsOf, readBlock, uintOption } from '../protocols/coap/coap-options.js';
import { readCoverage } from './coverage-reader.js';
import type { OtaRunner, RunContext } from './ota-runner.js';

/** /5/0/5 Update Result (OMA) as sub-task reasons; 1 is success. */
const reasonOfUpdateResult: Record<number, OtaReason> = {
  2: 'NoSpace',
  3: 'NoMemory',
  4: 'DownloadTimeout',
  5: 'CheckFailed',
  6: 'TypeUnsupported',
  7: 'InternalError',
  8: 'InstallFailed',
  9: 'TypeUnsupported',
};

const STATE = '/5/0/3';
const RESULT = '/5/0/5';
const DEFAULT_BLOCK = 512;
const OCTET_STREAM = 42;

/** A CoAP request as the LwM2M port hands it over (the adapter's IncomingRequest, seen structurally). */
export interface FirmwareRequest {
  packet: ParsedPacket;
  respond(response: { code: string; options?: { name: string; value: Buffer }[]; payload?: Buffer }): void;
}

interface Session {
  ctx: RunContext;
  phase: OtaStep;
  deadline: TimerHandle | undefined;
  blocksServed: number;
}

const numberOf = (event: Pick<Lwm2mValueEvent, 'values' | 'payloadHex'>, path: string): number | undefined => {
  const v = event.values?.find((x) => x.path === path)?.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
};

export class FotaRunner implements OtaRunner {
  private readonly sessions = new Map<string, Session>();
  private readonly bySub = new Map<string, string>();

  /** `uriOf` gives the package URI a device is told to fetch: the CoAP port's address + /fw/<sub-task id>/<version>
   * (the version last, as a file name would carry it). */
  constructor(
    private readonly link: DeviceLink,
    private readonly uriOf: (subTaskId: string, version: string) => string,
  ) {}

  listen(): void {
    this.link.lwm2m.onNotification((event) => {
      if (event.path === STATE) this.state(event);
    });
  }

  private get server() {
    return this.link.lwm2m;
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
    const s: Session = { ctx, phase: ctx.sub.step, deadline: undefined, blocksServed: 0 };
    this.sessions.set(ctx.sub.device_id, s);
    this.bySub.set(ctx.sub.id, ctx.sub.device_id);
    return s;
  }

  private async attempt<T>(s: Session, what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      s.ctx.finish(false, 'DeviceTimeout', `${what}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  run(ctx: RunContext): void {
    const s = this.session(ctx);
    void this.flow(s);
  }

  private async flow(s: Session): Promise<void> {
    const { ctx } = s;
    const deviceId = ctx.sub.device_id;
    const timeoutMs = ctx.stepTimeoutMs;
    this.stepTo(s, 'checkingVersion', 'reading the firmware version /3/0/3');
    const version = await this.attempt(s, 'reading /3/0/3', () => this.server.read(deviceId, '/3/0/3', { timeoutMs }));
    if (!version || !ctx.active()) return;
    const current = version.ok ? String(version.values?.[0]?.value ?? '') : '';
    if (!version.ok) return ctx.finish(false, 'DeviceRefused', `read /3/0/3 answered ${version.code}`);
    const verdict = ctx.versionVerdict(current);
    if (verdict) return ctx.finish(false, verdict, `the device runs ${current}`, { source_version: current });
    this.stepTo(s, 'readingCoverage', `firmware ${current}; reading /4/0`, { source_version: current });
    const coverage = await readCoverage(this.server, deviceId, timeoutMs);
    if (!ctx.active()) return;
    ctx.note(coverage.text);
    ctx.acquireSlot(coverage.cellId, coverage.level, () => void this.download(s));
  }

  private async download(s: Session): Promise<void> {
    const { ctx } = s;
    const deviceId = ctx.sub.device_id;
    const timeoutMs = ctx.stepTimeoutMs;
    const observed = await this.attempt(s, 'observing /5/0/3', () =>
      this.server.observe(deviceId, STATE, { timeoutMs }),
    );
    if (!observed || !ctx.active()) return;
    if (!observed.ok) return ctx.finish(false, 'DeviceRefused', `observe /5/0/3 answered ${observed.code}`);
    const uri = this.uriOf(ctx.sub.id, ctx.targetVersion);
    this.stepTo(s, 'downloading', `observing /5/0/3; writing ${uri} to /5/0/1`);
    this.armDeadline(s, 'download progress', 'DownloadTimeout');
    const written = await this.attempt(s, 'writing /5/0/1', () =>
      this.server.write(
        deviceId,
        '/5/0/1',
        { values: [{ path: '/5/0/1', value: uri, type: 'string' }] },
        { timeoutMs },
      ),
    );
    if (!written || !ctx.active()) return;
    if (!written.ok) return ctx.finish(false, 'DeviceRefused', `write /5/0/1 answered ${written.code}`);
  }

  private async update(s: Session): Promise<void> {
    const { ctx } = s;
    this.stepTo(s, 'updating', 'State 2 (downloaded): executing /5/0/2');
    this.armDeadline(s, 'update result', 'DeviceTimeout');
    const executed = await this.attempt(s, 'executing /5/0/2', () =>
      this.server.execute(ctx.sub.device_id, '/5/0/2', undefined, { timeoutMs: ctx.stepTimeoutMs }),
    );
    if (!executed || !ctx.active()) return;
    if (!executed.ok) return ctx.finish(false, 'DeviceRefused', `execute /5/0/2 answered ${executed.code}`);
  }

  /** Reads /5/0/5 and, on success, the new version; ends the sub-task either way. */
  private async result(s: Session): Promise<void> {
    const { ctx } = s;
    const deviceId = ctx.sub.device_id;
    const timeoutMs = ctx.stepTimeoutMs;
    const read = await this.attempt(s, 'reading /5/0/5', () => this.server.read(deviceId, RESULT, { timeoutMs }));
    if (!read || !ctx.active()) return;
    const result = numberOf(read, RESULT) ?? 0;
    void this.server.cancelObserve(deviceId, STATE, { timeoutMs }).catch(() => undefined);
    ctx.note(`/5/0/5 Update Result ${result}; observation of /5/0/3 cancelled`);
    if (result === 0) return; // not finished yet: the device reports again
    if (result !== 1)
      return ctx.finish(false, reasonOfUpdateResult[result] ?? 'DeviceRefused', `Update Result ${result}`);
    const version = await this.server.read(deviceId, '/3/0/3', { timeoutMs }).catch(() => undefined);
    const current = version?.ok ? String(version.values?.[0]?.value ?? '') : ctx.targetVersion;
    ctx.finish(true, 'Upgraded', `now running ${current}`, { current_version: current });
  }

  private state(event: Lwm2mValueEvent): void {
    const s = this.sessions.get(event.deviceId);
    if (!s || !s.ctx.active()) return;
    const state = numberOf(event, STATE);
    s.ctx.note(`notify /5/0/3 State ${state ?? '?'}`);
    if (state === 2 && (s.phase === 'downloading' || s.phase === 'downloaded')) {
      s.phase = 'downloaded';
      s.ctx.step('downloaded', 'the device reports State 2 (downloaded)');
      void this.update(s);
    } else if (state === 0 && (s.phase === 'downloading' || s.phase === 'updating')) {
      // Idle again: the download failed (Update Result says why) or the update ended.
      void this.result(s);
    }
  }

  resume(ctx: RunContext): void {
    const s = this.session(ctx);
    if (s.phase === 'downloading') {
      this.armDeadline(s, 'download progress', 'DownloadTimeout');
      void this.server.observe(ctx.sub.device_id, STATE).catch(() => undefined);
    } else if (s.phase === 'downloaded') void this.update(s);
    else if (s.phase === 'updating') void this.result(s);
    else void this.flow(s);
  }

  presence(ctx: RunContext, kind: 'online' | 'reregistered' | 'reported'): void {
    const s = this.sessions.get(ctx.sub.device_id);
    if (!s || kind === 'reported') return;
    // A registration again: the observation is gone. After an update the device reboots; its result is ready.
    if (s.phase === 'updating') void this.result(s);
    else if (s.phase === 'downloading') void this.server.observe(ctx.sub.device_id, STATE).catch(() => undefined);
  }

  release(subTaskId: string): void {
    const deviceId = this.bySub.get(subTaskId);
    if (deviceId === undefined) return;
    this.bySub.delete(subTaskId);
    const s = this.sessions.get(deviceId);
    s?.deadline?.cancel();
    if (s?.ctx.sub.id === subTaskId) this.sessions.delete(deviceId);
  }

  /** GET /fw/<sub-task id> with Block2: one block of the package, while that device is downloading. */
  serve(req: FirmwareRequest): void {
    const path = optionsOf(req.packet, 'Uri-Path').map((b) => b.toString('utf8'));
    if (req.packet.code !== '0.01') return req.respond({ code: '4.05' });
    const deviceId = path.length >= 2 ? this.bySub.get(path[1]!) : undefined;
    const s = deviceId === undefined ? undefined : this.sessions.get(deviceId);
    if (!s || !s.ctx.active() || s.phase !== 'downloading') {
      return req.respond({ code: '4.04', payload: Buffer.from('no download for this URI') });
    }
    const asked = readBlock(optionsOf(req.packet, 'Block2')[0]);
    const size = Math.min(asked?.size ?? DEFAULT_BLOCK, 1024);
    const num = asked?.num ?? 0;
    const bytes = s.ctx.payload;
    const start = num * size;
    if (start >= bytes.length && !(start === 0 && bytes.length === 0)) {
      return req.respond({ code: '4.02', payload: Buffer.from(`block ${num} is past the end`) });
    }
    const end = Math.min(bytes.length, start + size);
    const more = end < bytes.length;
    s.blocksServed++;
    if (num === 0) s.ctx.note(`block-wise download started (${size}-byte blocks, ${bytes.length} bytes)`);
    s.ctx.progress((end / Math.max(1, bytes.length)) * 100);
    this.armDeadline(s, 'download progress', 'DownloadTimeout');
    req.respond({
      code: '2.05',
      options: [
        { name: 'Content-Format', value: uintOption(OCTET_STREAM) },
        { name: 'Block2', value: blockOption({ num, more, size }) },
        ...(num === 0 ? [{ name: 'Size2', value: uintOption(bytes.length) }] : []),
      ],
      payload: Buffer.from(bytes.subarray(start, end)),
    });
  }
}
