import { EventEmitter } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useTempDirs } from '../../support/temp-dir.js';
import {
  resetFakeElectron,
  type FakeBrowserWindow,
  type FakeElectron,
  type FakeUtilityProcess,
} from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const ready = {
  type: 'ready',
  apiUrl: 'http://127.0.0.1:43117',
  token: 'per-launch-token-abcdef',
  dataDir: '/fake/userData',
  ports: { api: 43117, mqtt: 1883, coap: 5683 },
};

const settle = () => new Promise((resolve) => setImmediate(resolve));
const tempDir = useTempDirs('iotwb-main-');
const signalListeners = () => [...process.listeners('SIGINT'), ...process.listeners('SIGTERM')];
let baseline = signalListeners();

/** Loads main.ts afresh against a fresh fake electron, as Electron would at launch. */
async function launch(
  lock = true,
  before: (electron: FakeElectron) => void = () => {},
): Promise<{
  electron: FakeElectron;
  core: () => FakeUtilityProcess;
  windows: () => FakeBrowserWindow[];
}> {
  vi.resetModules();
  baseline = signalListeners();
  // The mocked module is cached across vi.resetModules(), so it is the same fake main.ts will import.
  const electron = (await import('electron')) as unknown as FakeElectron;
  resetFakeElectron(electron);
  electron.app.requestSingleInstanceLock.mockReturnValue(lock);
  electron.app.getPath.mockImplementation((name: string) => `/fake/${name}`);
  before(electron);
  await import('../../../electron/main.js');
  await settle();
  const core = (): FakeUtilityProcess => {
    const child = electron.forked[0];
    if (!child) throw new Error('the core was not forked');
    return child;
  };
  return { electron, core, windows: () => electron.BrowserWindow.instances };
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.mocked(console.warn).mockRestore();
  for (const listener of signalListeners()) {
    if (!baseline.includes(listener)) {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    }
  }
});

describe('main process composition', () => {
  it('quits without starting the core when another instance runs', async () => {
    const { electron } = await launch(false);
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.utilityProcess.fork).not.toHaveBeenCalled();
  });

  it('starts the core with the user data folder and the built renderer, then opens the UI from the core', async () => {
    const { electron, core, windows } = await launch();
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    expect(core().modulePath).toMatch(/core-process\.js$/);
    expect(core().childPort.other?.sent[0]).toEqual({
      type: 'start',
      config: {
        dataDir: '/fake/userData',
        rendererDir: '/fake/app/dist/renderer',
        apiPort: 0,
        deviceSecretKey: { store: 'key-file', keychainUnavailable: 'not-available' },
      },
    });
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('encryption is not available'));
    expect(windows()).toHaveLength(0);

    core().childPort.postMessage(ready);
    await settle();

    const window = windows()[0];
    expect(window?.loadURL).toHaveBeenCalledWith('http://127.0.0.1:43117/');
    expect(window?.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect((window?.options.webPreferences as { preload: string }).preload).toMatch(/preload\.cjs$/);
    const session = electron.session.defaultSession;
    expect(session.setPermissionRequestHandler).toHaveBeenCalled();
    expect(session.setPermissionCheckHandler).toHaveBeenCalled();
    expect(session.webRequest.onHeadersReceived).toHaveBeenCalledWith(
      { urls: ['http://127.0.0.1:43117/*'] },
      expect.any(Function),
    );
    expect([...electron.ipcHandlers.keys()].sort()).toEqual(['workbench:get-connection', 'workbench:open-data-folder']);
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalled();
  });

  it('hands the core the key it unwrapped with the OS keychain and writes no plain key', async () => {
    const userData = tempDir();
    const useKeychain = (electron: FakeElectron): void => {
      electron.app.getPath.mockImplementation((name: string) => (name === 'userData' ? userData : `/fake/${name}`));
      electron.safeStorage.available = true;
      electron.safeStorage.backend = 'gnome_libsecret';
    };
    const { core } = await launch(true, useKeychain);
    const started = core().childPort.other?.sent[0] as { config: { deviceSecretKey: Record<string, string> } };
    const { store, keyHex, wrappedFile } = started.config.deviceSecretKey;
    expect({ store, wrappedFile }).toEqual({
      store: 'os-keychain',
      wrappedFile: join(userData, 'device-secrets.key.safe'),
    });
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(userData)).toEqual(['device-secrets.key.safe']);
  });

  it('stops with a dialog naming the wrapped key file when the keychain cannot unwrap it', async () => {
    const userData = tempDir();
    writeFileSync(join(userData, 'device-secrets.key.safe'), 'garbage');
    const { electron } = await launch(true, (fake) => {
      fake.app.getPath.mockImplementation((name: string) => (name === 'userData' ? userData : `/fake/${name}`));
      fake.safeStorage.available = true;
      fake.safeStorage.backend = 'kwallet5';
    });
    const [, content] = electron.dialog.showErrorBox.mock.calls[0] as unknown as [string, string];
    expect(content).toContain(join(userData, 'device-secrets.key.safe'));
    expect(content).toContain('SECRET_KEY_CORRUPT');
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(electron.utilityProcess.fork).not.toHaveBeenCalled();
    expect(readdirSync(userData)).toEqual(['device-secrets.key.safe']);
  });

  it('guards every webContents the app creates', async () => {
    const { electron, core } = await launch();
    core().childPort.postMessage(ready);
    await settle();
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    electron.app.emit('web-contents-created', {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalled();
    const event = { url: 'https://github.com/acme', preventDefault: vi.fn() };
    contents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://github.com/acme');
  });

  it('shows the failure and exits when the core cannot start', async () => {
    const { electron, core, windows } = await launch();
    core().childPort.postMessage({
      type: 'error',
      code: 'PORT_IN_USE',
      message: 'MQTT port 1883 is already in use',
      file: '/fake/userData/settings.json',
    });
    await settle();
    const [, content] = electron.dialog.showErrorBox.mock.calls[0] as unknown as [string, string];
    expect(content).toContain('MQTT port 1883 is already in use');
    expect(content).toContain('/fake/userData/settings.json');
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(windows()).toHaveLength(0);
  });

  it('stops the core before quitting', async () => {
    const { electron, core } = await launch();
    core().childPort.postMessage(ready);
    await settle();
    const child = core();
    child.childPort.on('message', (event: { data: { type: string } }) => {
      if (event.data.type === 'stop') queueMicrotask(() => child.emit('exit', 0));
    });
    const beforeQuit = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', beforeQuit);
    expect(beforeQuit.preventDefault).toHaveBeenCalled();
    expect(electron.app.quit).not.toHaveBeenCalled();
    await settle();
    expect(child.kill).not.toHaveBeenCalled();
    expect(electron.app.quit).toHaveBeenCalledOnce();

    const second = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
  });
});
