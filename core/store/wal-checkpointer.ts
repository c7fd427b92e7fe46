// Copies the WAL back into the database file from a worker thread, so the thread that commits device data never
// stalls on a checkpoint. The main connection keeps a large automatic checkpoint only as a safety net.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { unpackedFromAsar } from '../asar-paths.js';

export interface WalCheckpointer {
  /** Resolves with the frames copied so far, once the running or next checkpoint is done (tests, diagnostics). */
  checkpointNow(): Promise<{ walFrames: number; checkpointed: number }>;
  stop(): Promise<void>;
}

/** Pages the main connection lets the WAL reach before it checkpoints itself (the worker normally keeps it small). */
export const MAIN_AUTOCHECKPOINT_PAGES = 25_000;
const EVERY_MS = 100;

// A CommonJS script evaluated in the worker: no separate file to bundle or unpack from an archive.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 50');
db.pragma('wal_autocheckpoint = 0');
const checkpoint = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    return { walFrames: r.log, checkpointed: r.checkpointed };
  } catch (error) {
    return { error: String(error && error.message || error) };
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m.type === 'checkpoint') parentPort.postMessage({ id: m.id, ...checkpoint() });
  if (m.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.postMessage({ id: m.id, stopped: true });
    parentPort.close();
  }
});
`;

interface Reply {
  id: number;
  walFrames?: number;
  checkpointed?: number;
  error?: string;
  stopped?: boolean;
}

export function startWalCheckpointer(file: string, onError: (message: string) => void): WalCheckpointer {
  const driverUrl = unpackedFromAsar(pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver: decodeURIComponent(driverUrl.pathname), everyMs: EVERY_MS },
  });
  worker.unref();
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  let failed: string | undefined;
  let stopped = false;
  worker.on('message', (reply: Reply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  worker.on('error', (error) => {
    failed = error.message;
    onError(`the WAL checkpoint thread stopped: ${error.message}; the database checkpoints on the main thread`);
    for (const resolve of waiting.values()) resolve({ id: 0, error: failed });
    waiting.clear();
  });
  const ask = (type: 'checkpoint' | 'stop') =>
    new Promise<Reply>((resolve) => {
      if (failed) return resolve({ id: 0, error: failed });
      if (stopped) return resolve({ id: 0, error: 'the checkpoint thread has stopped' });
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ type, id });
    });

  return {
    async checkpointNow() {
      const reply = await ask('checkpoint');
      if (reply.error !== undefined) throw new Error(`WAL checkpoint failed: ${reply.error}`);
      return { walFrames: reply.walFrames ?? 0, checkpointed: reply.checkpointed ?? 0 };
    },
    async stop() {
      if (stopped) return;
      if (!failed) await ask('stop');
      stopped = true;
      await worker.terminate();
    },
  };
}
