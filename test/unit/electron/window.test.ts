import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const { createMainWindow, secureWebPreferences } = await import('../../../electron/window.js');

describe('main window', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances = [];
  });

  it('keeps the renderer sandboxed, context-isolated and without Node', () => {
    createMainWindow({ preloadPath: '/app/dist/electron/preload.cjs', url: 'http://127.0.0.1:4000/' });
    const window = FakeBrowserWindow.instances[0];
    const prefs = window?.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
  });

  it('turns devtools off unless asked for (packaged builds never ask)', () => {
    expect(secureWebPreferences('/p').devTools).toBe(false);
    expect(secureWebPreferences('/p', true).devTools).toBe(true);
  });

  it('never leaves a security preference at an Electron default', () => {
    const prefs = secureWebPreferences('/p');
    for (const key of ['sandbox', 'contextIsolation', 'nodeIntegration', 'webSecurity', 'webviewTag'] as const) {
      expect(prefs[key], key).toBeTypeOf('boolean');
    }
  });

  it('loads the UI from the core and shows the window only when it is ready to paint', () => {
    createMainWindow({ preloadPath: '/p', url: 'http://127.0.0.1:4000/' });
    const window = FakeBrowserWindow.instances[0];
    expect(window?.options.show).toBe(false);
    expect(window?.loadURL).toHaveBeenCalledWith('http://127.0.0.1:4000/');
    expect(window?.show).not.toHaveBeenCalled();
    window?.emit('ready-to-show');
    expect(window?.show).toHaveBeenCalledOnce();
  });
});
