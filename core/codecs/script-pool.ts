// Runs codec scripts on a small pool of worker threads. Each frame is one message with a deadline; a worker that
// does not answer in time (QuickJS only checks interrupts every few thousand operations, so a script piling up
// large strings can overrun by seconds) is terminated and replaced, and that frame alone gets the error.
import { Worker } from 'node:worker_threads';
import { unpackedFromAsar } from '../asar-paths.js';
import { defaultSandboxLimits, type SandboxLimits, type ScriptCallResult, type ScriptError } from './script-sandbox.js';
import type { ScriptJob, WorkerReply, WorkerRequest } from './script-worker-protocol.js';

export interface ScriptPoolOptions {
  /** Worker threads, 1–2 is plenty for a workbench. */
  size?: number;
  limits?: SandboxLimits;
  /** A worker silent this long after a call started is killed; 2 × the call deadline by default. */
  killAfterMs?: number;
}

type AnyResult = ScriptCallResult<string | Uint8Array | true>;

interface PendingCall {
  id: number;
  script: PooledScript;
  job: ScriptJob;
  resolve: (result: AnyResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Calls posted to the worker, oldest first; the worker runs them in this order. */
  inflight: PendingCall[];
  /** Guards the oldest call in flight. */
  watchdog?: NodeJS.Timeout;
  loaded: Set<number>;
}

/** Calls posted ahead to one worker, so the message round trip overlaps the work. */
const PIPELINE_DEPTH = 8;

/** Where the worker entry lives: the built file next to a bundle, or the tsx boot file in core/bin for sources. */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  // Kept in a variable so bundlers leave the URL alone instead of treating it as an asset import.
  const file = fromSource ? '../bin/codec-script-worker.mjs' : './codec-script-worker.js';
  return unpackedFromAsar(new URL(file, import.meta.url));
}

export class ScriptPool {
  private readonly size: number;
  private readonly limits: SandboxLimits;
  private readonly killAfterMs: number;
  private readonly slots: Slot[] = [];
  private readonly queue: PendingCall[] = [];
  private nextCallId = 1;
  private nextScriptId = 1;
  private closed = false;
  /** Consecutive workers that died before becoming ready; stops a crash loop. */
  private startFailures = 0;
  private lastStartError = '';
  private readyWaiters: (() => void)[] = [];

  constructor(options: ScriptPoolOptions = {}) {
    this.size = Math.min(Math.max(Math.floor(options.size ?? 2), 1), 8);
    this.limits = options.limits ?? defaultSandboxLimits;
    // A first call may load the script and then run it, each within its own limit; the kill waits for both.
    this.killAfterMs = options.killAfterMs ?? this.limits.loadTimeoutMs + this.limits.timeoutMs * 2;
  }

  /** A script handle; nothing runs until its first call. */
  load(source: string): PooledScript {
    return new PooledScript(this, this.nextScriptId++, source, this.limits);
  }

  /** Starts the workers now instead of on the first call; resolves when every worker has loaded QuickJS. */
  async whenReady(): Promise<void> {
    this.dispatch();
    while (!this.closed && this.slots.some((slot) => !slot.ready)) {
      await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    }
  }

  /** @internal Queues one call of a script. */
  run(script: PooledScript, job: ScriptJob): Promise<AnyResult> {
    if (this.closed) return Promise.resolve(killed('the codec sandbox has shut down'));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextCallId++, script, job, resolve });
      this.dispatch();
    });
  }

  /** @internal Frees a script in every worker that loaded it. */
  release(scriptId: number): void {
    for (const slot of this.slots) {
      if (slot.loaded.delete(scriptId)) slot.worker.postMessage({ kind: 'release', scriptId } satisfies WorkerRequest);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.readyWaiters.splice(0)) wake();
    for (const call of this.queue.splice(0)) call.resolve(killed('the codec sandbox has shut down'));
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      clearTimeout(slot.watchdog);
      for (const call of slot.inflight.splice(0)) call.resolve(killed('the codec sandbox has shut down'));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    if (this.closed) return;
    while (this.slots.length < this.size) this.slots.push(this.spawn());
    // Fill the least loaded worker first so both workers share a burst.
    for (;;) {
      let target: Slot | undefined;
      for (const slot of this.slots) {
        if (!slot.ready || slot.inflight.length >= PIPELINE_DEPTH) continue;
        if (!target || slot.inflight.length < target.inflight.length) target = slot;
      }
      const call = target && this.queue.shift();
      if (!target || !call) return;
      this.send(target, call);
    }
  }

  private arm(slot: Slot): void {
    clearTimeout(slot.watchdog);
    slot.watchdog = undefined;
    // A real timer on purpose: it guards the wall-clock time of another thread, which a simulated clock must not stop.
    if (slot.inflight.length > 0) slot.watchdog = setTimeout(() => this.kill(slot), this.killAfterMs);
  }

  private send(slot: Slot, call: PendingCall): void {
    const { script } = call;
    const request: WorkerRequest = {
      kind: 'call',
      id: call.id,
      scriptId: script.id,
      ...(slot.loaded.has(script.id) ? {} : { load: { source: script.source, limits: script.limits } }),
      job: call.job,
    };
    slot.loaded.add(script.id);
    slot.inflight.push(call);
    if (slot.inflight.length === 1) this.arm(slot);
    slot.worker.postMessage(request);
  }

  private spawn(): Slot {
    const worker = new Worker(workerEntry());
    // The pool must not keep a CLI or test process alive.
    worker.unref();
    const slot: Slot = { worker, ready: false, inflight: [], loaded: new Set() };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') {
        slot.ready = true;
        this.startFailures = 0;
        for (const wake of this.readyWaiters.splice(0)) wake();
        this.dispatch();
        return;
      }
      const head = slot.inflight[0];
      if (!head || head.id !== reply.id) return;
      slot.inflight.shift();
      this.arm(slot);
      head.resolve(reply.result);
      this.dispatch();
    });
    worker.on('error', (error) => this.lost(slot, `the sandbox worker failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(slot, `the sandbox worker exited with code ${code}`));
    return slot;
  }

  private kill(slot: Slot): void {
    const head = slot.inflight[0];
    if (!head) return;
    const entry = head.job.op === 'encode' ? 'encode()' : 'decode()';
    this.replace(
      slot,
      killed(
        `${entry} did not return within ${this.killAfterMs} ms (limit ${head.script.limits.timeoutMs} ms, ` +
          'likely a runaway or memory-hungry script); its sandbox worker was stopped and replaced',
      ),
    );
  }

  private lost(slot: Slot, reason: string): void {
    if (!this.slots.includes(slot)) return;
    if (!slot.ready) {
      this.startFailures++;
      this.lastStartError = reason;
    }
    this.replace(slot, killed(reason));
  }

  /**
   * Ends a worker, answers the frame it was running with the reason, queues the frames posted behind it again, and
   * starts another worker unless workers keep failing to start.
   */
  private replace(slot: Slot, answer: { ok: false; error: ScriptError }): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.worker.removeAllListeners('exit');
    void slot.worker.terminate();
    clearTimeout(slot.watchdog);
    const [running, ...waiting] = slot.inflight.splice(0);
    running?.resolve(answer);
    this.queue.unshift(...waiting);
    if (this.startFailures >= 3) {
      const reason = `the codec sandbox cannot start: ${this.lastStartError}`;
      for (const call of this.queue.splice(0)) call.resolve(killed(reason));
      this.startFailures = 0;
      return;
    }
    if (this.queue.length > 0) this.dispatch();
  }
}

/** A codec script as the pool knows it; calls run in whichever worker is free. */
export class PooledScript {
  private disposed = false;

  constructor(
    private readonly pool: ScriptPool,
    readonly id: number,
    readonly source: string,
    readonly limits: SandboxLimits,
  ) {}

  check(): Promise<ScriptCallResult<true>> {
    return this.call({ op: 'check' }) as Promise<ScriptCallResult<true>>;
  }

  decode(payload: Uint8Array, topic = ''): Promise<ScriptCallResult<string>> {
    return this.call({ op: 'decode', payload, topic }) as Promise<ScriptCallResult<string>>;
  }

  encode(json: string): Promise<ScriptCallResult<Uint8Array>> {
    return this.call({ op: 'encode', json }) as Promise<ScriptCallResult<Uint8Array>>;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.release(this.id);
  }

  private call(job: ScriptJob): Promise<AnyResult> {
    if (this.disposed) return Promise.resolve(killed('the codec script was unloaded'));
    return this.pool.run(this, job);
  }
}

function killed(message: string): { ok: false; error: ScriptError } {
  return { ok: false, error: { code: 'SCRIPT_KILLED', message } };
}
