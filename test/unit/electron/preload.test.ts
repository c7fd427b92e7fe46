import { describe, expect, it, vi } from 'vitest';
import { electron } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

await import('../../../electron/preload.js');

function exposed(): { name: unknown; api: Record<string, unknown> } {
  const calls = electron.contextBridge.exposeInMainWorld.mock.calls as unknown[][];
  expect(calls).toHaveLength(1);
  const [name, api] = calls[0] ?? [];
  return { name, api: api as Record<string, unknown> };
}

describe('preload', () => {
  it('exposes exactly one global, `workbench`, with only the documented members', () => {
    const { name, api } = exposed();
    expect(name).toBe('workbench');
    expect(Object.keys(api).sort()).toEqual(['getConnection', 'kind', 'openDataFolder', 'platform']);
    expect(api.kind).toBe('electron');
    expect(api.platform).toBe(process.platform);
    expect(api.getConnection).toBeTypeOf('function');
    expect(api.openDataFolder).toBeTypeOf('function');
  });

  it('never hands the page ipcRenderer or any of its methods', () => {
    const { api } = exposed();
    const forbidden: unknown[] = [electron.ipcRenderer, ...Object.values(electron.ipcRenderer)];
    for (const value of Object.values(api)) expect(forbidden).not.toContain(value);
    for (const key of ['ipcRenderer', 'send', 'invoke', 'on', 'once', 'postMessage'])
      expect(api).not.toHaveProperty(key);
  });

  it('binds each member to its own fixed channel; page arguments cannot pick a channel', async () => {
    const { api } = exposed();
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      apiUrl: 'http://127.0.0.1:4000',
      token: 'secret-token-123456',
    });
    const getConnection = api.getConnection as (...args: unknown[]) => Promise<unknown>;
    await expect(getConnection('workbench:open-data-folder')).resolves.toEqual({
      apiUrl: 'http://127.0.0.1:4000',
      token: 'secret-token-123456',
    });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('workbench:get-connection');

    electron.ipcRenderer.invoke.mockResolvedValueOnce(undefined);
    const openDataFolder = api.openDataFolder as (...args: unknown[]) => Promise<unknown>;
    await expect(openDataFolder('/etc')).resolves.toBeUndefined();
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('workbench:open-data-folder');
  });

  it('rejects a connection reply that is not an {apiUrl, token} pair', async () => {
    const { api } = exposed();
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ apiUrl: 42 });
    await expect((api.getConnection as () => Promise<unknown>)()).rejects.toThrow(/no connection/);
  });
});
