// Runs the bring-up steps of one session's module in order (or one alone), keeping each step's state, result and
// evidence; a failed step stops the flow with its reason and the steps after it are marked skipped.
import type { Clock } from '../clock.js';
import {
  bringUpStepIds,
  type BringUpEvidence,
  type BringUpRun,
  type BringUpState,
  type BringUpStep,
  type BringUpStepId,
} from '../contract/serial.js';
import {
  describeAtFailure,
  pointModuleAtPlatform,
  readModuleImei,
  rebootModule,
  sendTestUplink,
  type AtCommandRunner,
  type BringUpPlatform,
  type BringUpStepResult,
} from './bring-up.js';

type StepResultFields = NonNullable<BringUpStep['result']>;

/** The run request after validation (defaults applied). */
export type BringUpRequest = Omit<BringUpRun, 'registrationTimeoutS' | 'uplinkTimeoutS'> & {
  registrationTimeoutS: number;
  uplinkTimeoutS: number;
};

export interface BringUpFlowDeps {
  runner: AtCommandRunner;
  platform: BringUpPlatform;
  clock: Clock;
  /** Called after every change of the state (the capability turns it into a `task` event). */
  onChange: (state: BringUpState) => void;
  rebootTimeoutMs?: number;
}

export class BringUpAlreadyRunning extends Error {}

const freshSteps = (): BringUpStep[] => bringUpStepIds.map((id) => ({ id, state: 'pending', evidence: [] }));

/** Flat result fields of a decoded uplink: the service and its primitive values. */
function uplinkFields(serviceId: string, data: Record<string, unknown>): StepResultFields {
  const fields: StepResultFields = { serviceId };
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
    else fields[key] = JSON.stringify(value);
  }
  return fields;
}

export class BringUpFlow {
  private state: BringUpState;
  private abort: AbortController | undefined;
  /** When the last reboot step started: a registration after it counts (the module registers right after boot). */
  private rebootedAt: number | undefined;

  constructor(
    sessionId: string,
    private readonly deps: BringUpFlowDeps,
  ) {
    this.state = { sessionId, running: false, steps: freshSteps() };
  }

  snapshot(): BringUpState {
    return structuredClone(this.state);
  }

  get running(): boolean {
    return this.state.running;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Starts the run and resolves when it ends; throws BringUpAlreadyRunning if a run is in progress. */
  run(request: BringUpRequest): Promise<BringUpState> {
    if (this.state.running) throw new BringUpAlreadyRunning('a bring-up is already running on this session');
    if (request.productId !== this.state.productId) {
      const { imei } = this.state;
      this.state = {
        sessionId: this.state.sessionId,
        running: false,
        productId: request.productId,
        ...(imei ? { imei } : {}),
        steps: freshSteps(),
      };
    }
    const first = bringUpStepIds.indexOf(request.step ?? request.from ?? 'imei');
    const ids = request.step ? [request.step] : bringUpStepIds.slice(first);
    for (const id of ids) this.replaceStep({ id, state: 'pending', evidence: [] });
    this.state.running = true;
    this.abort = new AbortController();
    this.changed();
    return this.runSteps(ids, request, this.abort.signal);
  }

  private async runSteps(ids: BringUpStepId[], request: BringUpRequest, signal: AbortSignal): Promise<BringUpState> {
    const release = this.deps.platform.watch();
    try {
      for (const [index, id] of ids.entries()) {
        const startedAt = this.deps.clock.now();
        this.replaceStep({ id, state: 'running', startedAt, evidence: [] });
        this.changed();
        let outcome: BringUpStepResult<StepResultFields>;
        try {
          outcome = signal.aborted
            ? { ok: false, message: 'cancelled', evidence: [] }
            : await this.execute(id, request, signal);
        } catch (error) {
          outcome = { ok: false, message: error instanceof Error ? error.message : String(error), evidence: [] };
        }
        const finishedAt = this.deps.clock.now();
        if (outcome.ok) {
          this.replaceStep({
            id,
            state: 'ok',
            startedAt,
            finishedAt,
            result: outcome.value,
            evidence: outcome.evidence,
          });
        } else {
          this.replaceStep({
            id,
            state: 'failed',
            startedAt,
            finishedAt,
            message: outcome.message,
            evidence: outcome.evidence,
          });
          for (const later of ids.slice(index + 1)) {
            this.replaceStep({ id: later, state: 'skipped', message: `step "${id}" failed`, evidence: [] });
          }
          break;
        }
        this.changed();
      }
    } finally {
      release();
      this.state.running = false;
      this.abort = undefined;
      this.changed();
    }
    return this.snapshot();
  }

  private replaceStep(step: BringUpStep): void {
    this.state.steps = this.state.steps.map((s) => (s.id === step.id ? step : s));
  }

  private changed(): void {
    this.deps.onChange(this.snapshot());
  }

  /** The IMEI from step 1, read now when that step has not run (its AT exchange joins the evidence). */
  private async imei(evidence: BringUpEvidence[]): Promise<string | undefined> {
    if (this.state.imei) return this.state.imei;
    const read = await readModuleImei(this.deps.runner);
    evidence.push(...read.evidence);
    if (read.ok) this.state.imei = read.value;
    return this.state.imei;
  }

  /** The device of this module under the chosen product, looked up when step 2 has not run. */
  private async device(request: BringUpRequest, evidence: BringUpEvidence[]): Promise<BringUpStepResult<string>> {
    const imei = await this.imei(evidence);
    if (!imei) return { ok: false, message: 'cannot read the IMEI (step 1)', evidence };
    const found = this.deps.platform.findDevice(request.productId, imei);
    if (!found)
      return {
        ok: false,
        message: `no device with node ID ${imei} under product ${request.productId}: run step 2`,
        evidence,
      };
    this.state.deviceId = found.deviceId;
    return { ok: true, value: found.deviceId, evidence };
  }

  private async execute(
    id: BringUpStepId,
    request: BringUpRequest,
    signal: AbortSignal,
  ): Promise<BringUpStepResult<StepResultFields>> {
    const { runner, platform, clock } = this.deps;
    const evidence: BringUpEvidence[] = [];
    switch (id) {
      case 'imei': {
        delete this.state.imei;
        const imei = await this.imei(evidence);
        return imei
          ? { ok: true, value: { imei }, evidence }
          : { ok: false, message: evidence.length ? describeLastAt(evidence) : 'no IMEI', evidence };
      }
      case 'register': {
        const imei = await this.imei(evidence);
        if (!imei) return { ok: false, message: describeLastAt(evidence), evidence };
        const registered = platform.findOrRegisterDevice(request.productId, imei);
        evidence.push(...registered.evidence);
        if (!registered.ok) return { ok: false, message: registered.message, evidence };
        this.state.deviceId = registered.value.deviceId;
        return { ok: true, value: { ...registered.value }, evidence };
      }
      case 'cdp': {
        const server = request.server ?? platform.defaultServer();
        if (!server) {
          return {
            ok: false,
            message: 'the core has no CoAP port listening, so there is no address to give the module',
            evidence,
          };
        }
        const pointed = await pointModuleAtPlatform(runner, server);
        if (pointed.ok) this.state.server = server;
        return pointed.ok ? { ok: true, value: { ...server }, evidence: pointed.evidence } : pointed;
      }
      case 'reboot': {
        this.rebootedAt = clock.now();
        const rebooted = await rebootModule(runner, this.deps.rebootTimeoutMs);
        return rebooted.ok ? { ok: true, value: {}, evidence: rebooted.evidence } : rebooted;
      }
      case 'registration': {
        const device = await this.device(request, evidence);
        if (!device.ok) return device;
        const imei = this.state.imei ?? '';
        const since = this.rebootedAt ?? clock.now();
        const waited = await platform.waitForRegistration(device.value, imei, {
          since,
          timeoutMs: request.registrationTimeoutS * 1000,
          signal,
        });
        evidence.push(...waited.evidence);
        if (waited.ok)
          return {
            ok: true,
            value: { deviceId: device.value, endpoint: imei, registeredAt: new Date(waited.value.at).toISOString() },
            evidence,
          };
        // Run alone with no reboot in this flow, a device that is already online has registered before.
        if (
          this.rebootedAt === undefined &&
          platform.findDevice(request.productId, imei)?.online &&
          waited.message !== 'cancelled'
        ) {
          evidence.push({
            kind: 'note',
            at: clock.now(),
            text: `device ${device.value} is online: it registered before this step`,
          });
          return { ok: true, value: { deviceId: device.value, endpoint: imei }, evidence };
        }
        return { ok: false, message: waited.message, evidence };
      }
      case 'uplink': {
        const device = await this.device(request, evidence);
        if (!device.ok) return device;
        const stopWaiting = new AbortController();
        signal.addEventListener('abort', () => stopWaiting.abort(), { once: true });
        const waiting = platform.waitForDecodedUplink(device.value, this.state.imei ?? '', {
          since: clock.now(),
          timeoutMs: request.uplinkTimeoutS * 1000,
          signal: stopWaiting.signal,
        });
        if (request.uplinkHex) {
          const sent = await sendTestUplink(runner, request.uplinkHex);
          evidence.push(...sent.evidence);
          if (!sent.ok) {
            stopWaiting.abort();
            await waiting;
            return { ok: false, message: sent.message, evidence };
          }
        }
        const decoded = await waiting;
        evidence.push(...decoded.evidence);
        if (!decoded.ok) return { ok: false, message: decoded.message, evidence };
        this.state.uplink = decoded.value;
        return { ok: true, value: uplinkFields(decoded.value.serviceId, decoded.value.data), evidence };
      }
    }
  }
}

function describeLastAt(evidence: BringUpEvidence[]): string {
  const last = evidence.findLast((e) => e.kind === 'at');
  return last?.kind === 'at' ? describeAtFailure(last.result) : 'cannot read the IMEI';
}
