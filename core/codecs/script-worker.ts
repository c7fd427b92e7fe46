// A sandbox worker thread: holds loaded codec scripts and runs one frame at a time for the script pool, so a
// runaway script blocks this thread, never the core's event loop.
import { parentPort } from 'node:worker_threads';
import { quickJsModule, ScriptCodec, type ScriptCallResult } from './script-sandbox.js';
import type { ScriptJob, WorkerReply, WorkerRequest } from './script-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('script-worker.ts runs as a worker thread only');

const module = await quickJsModule();
const scripts = new Map<number, ScriptCodec>();

function run(codec: ScriptCodec, job: ScriptJob): ScriptCallResult<string | Uint8Array | true> {
  switch (job.op) {
    case 'check':
      return codec.check();
    case 'decode':
      return codec.decode(job.payload, job.topic);
    case 'encode':
      return codec.encode(job.json);
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'release') {
    scripts.get(request.scriptId)?.dispose();
    scripts.delete(request.scriptId);
    return;
  }
  let codec = scripts.get(request.scriptId);
  if (!codec && request.load) {
    codec = new ScriptCodec(module, request.load.source, request.load.limits);
    scripts.set(request.scriptId, codec);
  }
  const result: ScriptCallResult<string | Uint8Array | true> = codec
    ? run(codec, request.job)
    : { ok: false, error: { code: 'SCRIPT_KILLED', message: 'the sandbox worker lost the script; try again' } };
  const reply: WorkerReply = { kind: 'result', id: request.id, result };
  port.postMessage(reply);
});

port.postMessage({ kind: 'ready' } satisfies WorkerReply);
