// Runs the core in an Electron utilityProcess: start it, learn its URL and token, stop it on quit.
import { MessageChannelMain, dialog, utilityProcess } from 'electron';
import {
  CONNECT_MESSAGE,
  fromCoreMessageSchema,
  type CoreFailure,
  type CoreLaunchConfig,
  type CoreReady,
  type ToCoreMessage,
} from './core-protocol.js';

export type CoreRuntime = Omit<CoreReady, 'type'>;

export interface CoreHostOptions {
  /** Absolute path of the bundled `core-process.js`. */
  modulePath: string;
  config: CoreLaunchConfig;
  /** Migrations on a large database can be slow, so this is generous. */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** The core died after it was ready; the UI has nothing left to talk to. */
  onUnexpectedExit?: (failure: CoreFailure) => void;
}

export interface CoreHost {
  readonly runtime: CoreRuntime;
  /** Asks the core to stop, waits up to `stopTimeoutMs`, then kills it. Safe to call twice. */
  stop(): Promise<void>;
}

export class CoreStartFailure extends Error {
  constructor(readonly failure: CoreFailure) {
    super(failure.message);
    this.name = 'CoreStartFailure';
  }
}

export const DEFAULT_START_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

export function startCore(options: CoreHostOptions): Promise<CoreHost> {
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const child = utilityProcess.fork(options.modulePath, [], {
    serviceName: 'IoT Workbench core',
    stdio: 'inherit',
  });
  const { port1, port2 } = new MessageChannelMain();
  const send = (message: ToCoreMessage): void => port1.postMessage(message);

  let exited = false;
  let stopping = false;
  const exitWaiters = new Set<() => void>();
  let stopPromise: Promise<void> | undefined;

  const waitForExit = (timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (exited) return resolve(true);
      const done = (): void => {
        clearTimeout(timer);
        exitWaiters.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        exitWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      exitWaiters.add(done);
    });

  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      if (!exited) {
        send({ type: 'stop' });
        if (!(await waitForExit(stopTimeoutMs))) child.kill();
      }
      port1.close();
    })();
    return stopPromise;
  };

  return new Promise<CoreHost>((resolve, reject) => {
    let settled = false;
    const fail = (failure: CoreFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      stopping = true;
      if (!exited) child.kill();
      port1.close();
      reject(new CoreStartFailure(failure));
    };
    const startTimer = setTimeout(() => {
      fail({
        code: 'CORE_TIMEOUT',
        message: `The workbench core did not report ready within ${Math.round(startTimeoutMs / 1000)} s.`,
      });
    }, startTimeoutMs);

    port1.on('message', (event) => {
      const parsed = fromCoreMessageSchema.safeParse(event.data);
      if (!parsed.success) {
        fail({ code: 'CORE_PROTOCOL', message: 'The workbench core sent a message this app does not understand.' });
        return;
      }
      const message = parsed.data;
      if (message.type === 'error') {
        fail({
          code: message.code,
          message: message.message,
          ...(message.file === undefined ? {} : { file: message.file }),
        });
      } else if (message.type === 'ready' && !settled) {
        settled = true;
        clearTimeout(startTimer);
        const { apiUrl, token, dataDir, ports } = message;
        resolve({ runtime: { apiUrl, token, dataDir, ports }, stop });
      }
    });

    child.on('exit', (code) => {
      exited = true;
      for (const wake of [...exitWaiters]) wake();
      const failure: CoreFailure = {
        code: 'CORE_EXITED',
        message: `The workbench core process exited unexpectedly (exit code ${code}).`,
      };
      if (!settled) fail(failure);
      else if (!stopping) options.onUnexpectedExit?.(failure);
    });

    port1.start();
    child.postMessage(CONNECT_MESSAGE, [port2]);
    send({ type: 'start', config: options.config });
  });
}

/** The text the user reads when the core cannot start: what failed, and the file involved. */
export function describeCoreFailure(failure: CoreFailure): { title: string; content: string } {
  const lines = [`The workbench core could not start: ${failure.message}`];
  if (failure.file) lines.push('', `File: ${failure.file}`);
  lines.push('', `Error code: ${failure.code}`);
  return { title: 'IoT Workbench could not start', content: lines.join('\n') };
}

export function showCoreFailure(failure: CoreFailure): void {
  const { title, content } = describeCoreFailure(failure);
  dialog.showErrorBox(title, content);
}
