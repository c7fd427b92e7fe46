import { describe, expect, it, vi } from 'vitest';
import { electron } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const { registerWorkbenchIpc, isTrustedSender } = await import('../../../electron/ipc.js');
const { IPC_CHANNELS } = await import('../../../electron/ipc-channels.js');

const appOrigin = 'http://127.0.0.1:4000';
const connection = { apiUrl: appOrigin, token: 'per-launch-token-abcdef' };

interface Frame {
  url: string;
  parent: Frame | null;
}
const mainFrame: Frame = { url: `${appOrigin}/devices?x=1`, parent: null };
const eventFrom = (senderFrame: Frame | null) => ({ senderFrame });

function setup(openPath = vi.fn((_path: string) => Promise.resolve(''))) {
  electron.ipcHandlers.clear();
  registerWorkbenchIpc(electron.ipcMain, { appOrigin, connection, dataDir: '/data/IoT Workbench', openPath });
  const call = (channel: string, event: unknown, ...args: unknown[]): Promise<unknown> => {
    const handler = electron.ipcHandlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve().then(() => handler(event, ...args));
  };
  return { call, openPath };
}

describe('IPC handlers', () => {
  it('registers exactly the two workbench channels', () => {
    setup();
    expect([...electron.ipcHandlers.keys()].sort()).toEqual(['workbench:get-connection', 'workbench:open-data-folder']);
  });

  it('gives the app main frame the API URL and token', async () => {
    const { call } = setup();
    await expect(call(IPC_CHANNELS.getConnection, eventFrom(mainFrame))).resolves.toEqual(connection);
  });

  it('refuses a sub-frame, even one at the app origin', async () => {
    const { call } = setup();
    const child: Frame = { url: `${appOrigin}/embedded`, parent: mainFrame };
    await expect(call(IPC_CHANNELS.getConnection, eventFrom(child))).rejects.toMatchObject({
      code: 'IPC_UNTRUSTED_SENDER',
    });
  });

  it.each([
    ['another site', 'https://evil.example/'],
    ['another port on loopback', 'http://127.0.0.1:4001/'],
    ['localhost instead of 127.0.0.1', 'http://localhost:4000/'],
    ['a file URL', 'file:///etc/passwd'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['an unparsable URL', 'not a url'],
  ])('refuses a main frame from %s', async (_label, url) => {
    const { call, openPath } = setup();
    await expect(call(IPC_CHANNELS.getConnection, eventFrom({ url, parent: null }))).rejects.toMatchObject({
      code: 'IPC_UNTRUSTED_SENDER',
    });
    await expect(call(IPC_CHANNELS.openDataFolder, eventFrom({ url, parent: null }))).rejects.toThrow();
    expect(openPath).not.toHaveBeenCalled();
  });

  it('refuses a call whose frame is already gone', async () => {
    const { call } = setup();
    await expect(call(IPC_CHANNELS.getConnection, eventFrom(null))).rejects.toMatchObject({
      code: 'IPC_UNTRUSTED_SENDER',
    });
  });

  it.each([[['extra']], [[{ path: '/etc' }]], [[undefined]]])(
    'rejects a payload the channel does not take: %j',
    async (args) => {
      const { call, openPath } = setup();
      await expect(call(IPC_CHANNELS.openDataFolder, eventFrom(mainFrame), ...args)).rejects.toMatchObject({
        code: 'IPC_BAD_PAYLOAD',
      });
      await expect(call(IPC_CHANNELS.getConnection, eventFrom(mainFrame), ...args)).rejects.toMatchObject({
        code: 'IPC_BAD_PAYLOAD',
      });
      expect(openPath).not.toHaveBeenCalled();
    },
  );

  it('opens the data folder the core reported, and only that folder', async () => {
    const { call, openPath } = setup();
    await expect(call(IPC_CHANNELS.openDataFolder, eventFrom(mainFrame))).resolves.toBeUndefined();
    expect(openPath).toHaveBeenCalledWith('/data/IoT Workbench');
  });

  it('turns a shell.openPath failure into a rejected call', async () => {
    const { call } = setup(vi.fn(() => Promise.resolve('no file manager')));
    await expect(call(IPC_CHANNELS.openDataFolder, eventFrom(mainFrame))).rejects.toThrow(/no file manager/);
  });

  it('trusts only a top-level frame at the exact app origin', () => {
    expect(isTrustedSender(eventFrom(mainFrame), appOrigin)).toBe(true);
    expect(isTrustedSender(eventFrom({ url: 'http://127.0.0.1:4000.evil.example/', parent: null }), appOrigin)).toBe(
      false,
    );
  });
});
