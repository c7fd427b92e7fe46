// Entry of the core's utilityProcess: the only electron/ module that imports core/.
import type { ParentPort } from 'electron';
import { defaultDataDir } from '../core/config.js';
import { createPlatform } from '../core/platform.js';
import { StartupError, type Platform } from '../core/platform-types.js';
import { toCoreMessageSchema, type CoreLaunchConfig, type FromCoreMessage } from './core-protocol.js';

export interface CoreProcessDeps {
  createPlatform: (config: Parameters<typeof createPlatform>[0]) => Platform;
  defaultDataDir: () => string;
  exit: (code: number) => void;
}

const realDeps: CoreProcessDeps = {
  createPlatform,
  defaultDataDir: () => defaultDataDir(),
  exit: (code) => process.exit(code),
};

/** The MessagePortMain calls this uses; the real port fits. */
export interface CorePort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start(): void;
  postMessage(message: unknown): void;
  close(): void;
}

/** The parentPort calls this uses; `process.parentPort` fits. */
export interface CoreParentPort {
  once(event: 'message', listener: (event: { ports: CorePort[] }) => void): unknown;
}

/** Waits for the main process to hand over a MessagePort, then serves start/stop requests on it. */
export function attachCoreProcess(parentPort: CoreParentPort, deps: CoreProcessDeps = realDeps): void {
  parentPort.once('message', (event) => {
    const port = event.ports[0];
    if (!port) {
      console.error('core-process: the first message from the main process carried no MessagePort');
      deps.exit(1);
      return;
    }
    serveCorePort(port, deps);
  });
}

export function serveCorePort(port: CorePort, deps: CoreProcessDeps): void {
  let platform: Platform | undefined;
  const post = (message: FromCoreMessage): void => port.postMessage(message);

  const start = async (config: CoreLaunchConfig): Promise<void> => {
    try {
      platform = deps.createPlatform({ ...config, dataDir: config.dataDir ?? deps.defaultDataDir() });
      const runtime = await platform.start();
      post({
        type: 'ready',
        apiUrl: runtime.apiUrl,
        token: runtime.token,
        dataDir: runtime.dataDir,
        ports: runtime.ports,
      });
    } catch (error) {
      post(startupErrorMessage(error));
    }
  };

  const stop = async (): Promise<void> => {
    try {
      await platform?.stop();
    } catch (error) {
      console.error('core-process: stopping the core failed', error);
    }
    post({ type: 'stopped' });
    port.close();
    deps.exit(0);
  };

  port.on('message', (event) => {
    const parsed = toCoreMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      console.error('core-process: ignoring a malformed message from the main process');
      return;
    }
    if (parsed.data.type === 'start') void start(parsed.data.config);
    else void stop();
  });
  port.start();
}

export function startupErrorMessage(error: unknown): FromCoreMessage {
  if (error instanceof StartupError) {
    return {
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.file === undefined ? {} : { file: error.file }),
    };
  }
  return { type: 'error', code: 'CORE_START_FAILED', message: error instanceof Error ? error.message : String(error) };
}

// process.parentPort is typed as always present, but it is only set inside a utilityProcess.
const parentPort = (process as { parentPort?: ParentPort | null }).parentPort;
if (parentPort) attachCoreProcess(parentPort);
