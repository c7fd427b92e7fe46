// What a protocol flow (object 5, PCP, MQTT `$ota`) gets from the OTA service for one device, and gives back.
import type { TimerHandle } from '../clock.js';
import type { CoverageLevel, OtaReason, OtaStep } from '../contract/ota.js';
import type { StoredPackage } from '../contract/packages.js';
import type { SubTaskChange, SubTaskRow } from './ota-store.js';

export interface RunContext {
  readonly sub: SubTaskRow;
  readonly pkg: StoredPackage;
  readonly payload: Uint8Array;
  readonly targetVersion: string;
  readonly appConfirm: boolean;
  readonly stepTimeoutMs: number;
  /** False once the sub-task ended (or the service stopped): a late answer must do nothing. */
  active(): boolean;
  /** Records a step (and any facts learnt) with a timeline line. */
  step(step: OtaStep, text: string, change?: SubTaskChange): void;
  /** A timeline line without a step change (a frame served, an answer). */
  note(text: string): void;
  progress(percent: number): void;
  /** Checks the source version against the package: the reason to stop, or undefined to go on. */
  versionVerdict(current: string): OtaReason | undefined;
  /** Waits for a slot in the device's cell; `cellId` undefined fails the device (CellUnknown). */
  acquireSlot(cellId: string | undefined, level: CoverageLevel, then: () => void): void;
  /** Ends the sub-task; retries follow the task's policy. */
  finish(ok: boolean, reason: OtaReason, detail?: string, change?: SubTaskChange): void;
  /** A timer on the injected clock that is cancelled when the sub-task ends. */
  after(ms: number, fn: () => void): TimerHandle;
}

export interface OtaRunner {
  /** Starts listening to the device link; called once the open sub-tasks are back (a frame before would find none). */
  listen(): void;
  /** Starts the flow from its first step. */
  run(ctx: RunContext): void;
  /** After a restart: picks the flow up at the stored step. */
  resume(ctx: RunContext): void;
  /** The device came back (registered again, reconnected) while its sub-task is running. */
  presence?(ctx: RunContext, kind: 'online' | 'reregistered' | 'reported'): void;
  /** App confirm given for a device that downloaded. */
  confirm?(ctx: RunContext): void;
  /** The sub-task ended or the service stops: drop what is held for it. */
  release(subTaskId: string): void;
}
