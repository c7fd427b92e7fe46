// Messages between the codec script pool (main thread) and a sandbox worker.
import type { SandboxLimits, ScriptCallResult } from './script-sandbox.js';

export type ScriptJob =
  { op: 'check' } | { op: 'decode'; payload: Uint8Array; topic: string } | { op: 'encode'; json: string };

export type WorkerRequest =
  | {
      kind: 'call';
      id: number;
      scriptId: number;
      /** Sent the first time a worker sees the script; later calls name it by scriptId only. */
      load?: { source: string; limits: SandboxLimits };
      job: ScriptJob;
    }
  | { kind: 'release'; scriptId: number };

export type WorkerReply =
  { kind: 'ready' } | { kind: 'result'; id: number; result: ScriptCallResult<string | Uint8Array | true> };
