// IPC from the preload: every handler checks who is calling and what it sent before doing anything.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { IPC_CHANNELS } from './ipc-channels.js';
import { isAppUrl } from './navigation-guard.js';
import type { WorkbenchConnection } from './workbench-api.js';

interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

/** The fields of an invoke event the checks use; a real IpcMainInvokeEvent fits. */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrame | null;
}

export class IpcRejection extends Error {
  constructor(
    readonly code: 'IPC_UNTRUSTED_SENDER' | 'IPC_BAD_PAYLOAD',
    message: string,
  ) {
    super(message);
    this.name = 'IpcRejection';
  }
}

/** Only the top-level frame of a page served from the app's own origin may call main. */
export function isTrustedSender(event: InvokeEventLike, appOrigin: string): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url, appOrigin);
}

type IpcRegistrar = Pick<IpcMain, 'handle' | 'removeHandler'>;

export interface ValidatedIpcMain {
  /** `args` is the schema of the invoke arguments after the event, as a tuple. */
  handle<A extends z.ZodTuple>(
    channel: string,
    args: A,
    handler: (event: InvokeEventLike, ...payload: z.output<A>) => unknown,
  ): void;
  dispose(): void;
}

export function createValidatedIpcMain(ipcMain: IpcRegistrar, appOrigin: string): ValidatedIpcMain {
  const channels = new Set<string>();
  return {
    handle(channel, args, handler) {
      channels.add(channel);
      ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...raw: unknown[]) => {
        if (!isTrustedSender(event, appOrigin)) {
          throw new IpcRejection(
            'IPC_UNTRUSTED_SENDER',
            `${channel}: refused a call from ${event.senderFrame?.url ?? 'a destroyed frame'}`,
          );
        }
        const parsed = args.safeParse(raw);
        if (!parsed.success) {
          throw new IpcRejection(
            'IPC_BAD_PAYLOAD',
            `${channel}: invalid arguments: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
          );
        }
        return handler(event, ...parsed.data);
      });
    },
    dispose() {
      for (const channel of channels) ipcMain.removeHandler(channel);
      channels.clear();
    },
  };
}

export interface WorkbenchIpcContext {
  appOrigin: string;
  connection: WorkbenchConnection;
  dataDir: string;
  /** shell.openPath: resolves to an error message, or '' on success. */
  openPath: (path: string) => Promise<string>;
}

const noArguments = z.tuple([]);

export function registerWorkbenchIpc(ipcMain: IpcRegistrar, context: WorkbenchIpcContext): ValidatedIpcMain {
  const ipc = createValidatedIpcMain(ipcMain, context.appOrigin);
  ipc.handle(IPC_CHANNELS.getConnection, noArguments, (): WorkbenchConnection => ({
    apiUrl: context.connection.apiUrl,
    token: context.connection.token,
  }));
  ipc.handle(IPC_CHANNELS.openDataFolder, noArguments, async (): Promise<void> => {
    const failure = await context.openPath(context.dataDir);
    if (failure) throw new Error(`could not open ${context.dataDir}: ${failure}`);
  });
  return ipc;
}
