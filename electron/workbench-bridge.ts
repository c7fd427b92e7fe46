// Builds the `window.workbench` object from one invoke function, so the preload stays a two-line composition.
import { IPC_CHANNELS } from './ipc-channels.js';
import type { WorkbenchBridge, WorkbenchConnection } from './workbench-api.js';

export function createWorkbenchBridge(
  invoke: (channel: string) => Promise<unknown>,
  platform: string,
): WorkbenchBridge {
  return {
    kind: 'electron',
    platform,
    async getConnection(): Promise<WorkbenchConnection> {
      const value = await invoke(IPC_CHANNELS.getConnection);
      if (!isConnection(value)) throw new Error('workbench: main process returned no connection');
      return { apiUrl: value.apiUrl, token: value.token };
    },
    async openDataFolder(): Promise<void> {
      await invoke(IPC_CHANNELS.openDataFolder);
    },
  };
}

function isConnection(value: unknown): value is WorkbenchConnection {
  if (typeof value !== 'object' || value === null) return false;
  const { apiUrl, token } = value as Record<string, unknown>;
  return typeof apiUrl === 'string' && typeof token === 'string';
}
