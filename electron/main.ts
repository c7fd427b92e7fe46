// Electron main process: composes the modules beside it; each security rule lives in its own module.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, safeStorage, session, shell, type BrowserWindow } from 'electron';
import type { DeviceSecretKeySource } from '../core/config.js';
import { CoreStartFailure, showCoreFailure, startCore, type CoreHost, type CoreRuntime } from './core-host.js';
import { installContentSecurityPolicy } from './csp.js';
import { DeviceSecretKeyError, prepareDeviceSecretKey } from './device-secret-key.js';
import { denyWindowOpen, openExternalIfAllowed } from './external-links.js';
import { registerWorkbenchIpc } from './ipc.js';
import { installAppMenu, showAboutDialog } from './menu.js';
import { guardNavigation } from './navigation-guard.js';
import { installPermissionHandlers } from './permissions.js';
import { claimSingleInstance } from './single-instance.js';
import { createMainWindow } from './window.js';

/** dist/electron: main.js, preload.cjs and core-process.js are built side by side. */
const buildDir = dirname(fileURLToPath(import.meta.url));
const APP_NAME = 'IoT Workbench';

let mainWindow: BrowserWindow | null = null;
let core: CoreHost | undefined;
let quitting = false;

app.enableSandbox();
// Chromium's caches go to a subfolder, so the data folder the user opens holds the workbench's own files.
app.setPath('sessionData', join(app.getPath('userData'), 'chromium'));

if (claimSingleInstance(app, () => mainWindow)) {
  app.on('before-quit', (event) => {
    quitting = true;
    if (!core) return;
    const stopping = core;
    core = undefined;
    event.preventDefault();
    void stopping.stop().finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  void run();
}

async function run(): Promise<void> {
  await app.whenReady();
  const dataDir = app.getPath('userData');
  let deviceSecretKey: DeviceSecretKeySource;
  try {
    // safeStorage only works in main after ready; the core's process cannot reach the keychain itself.
    deviceSecretKey = prepareDeviceSecretKey({
      dataDir,
      keychain: safeStorage,
      platform: process.platform,
      log: (line) => console.warn(line),
    });
  } catch (error) {
    showCoreFailure(
      error instanceof DeviceSecretKeyError
        ? error.failure
        : { code: 'SECRET_KEY_FAILED', message: `Preparing the device-secrets key failed: ${String(error)}` },
    );
    app.exit(1);
    return;
  }
  let host: CoreHost;
  try {
    host = await startCore({
      modulePath: join(buildDir, 'core-process.js'),
      config: {
        dataDir,
        rendererDir: join(app.getAppPath(), 'dist', 'renderer'),
        apiPort: 0,
        deviceSecretKey,
      },
      onUnexpectedExit: (failure) => {
        core = undefined;
        showCoreFailure(failure);
        app.exit(1);
      },
    });
  } catch (error) {
    showCoreFailure(
      error instanceof CoreStartFailure
        ? error.failure
        : { code: 'CORE_START_FAILED', message: error instanceof Error ? error.message : String(error) },
    );
    app.exit(1);
    return;
  }
  core = host;
  if (quitting) {
    app.quit();
    return;
  }
  openWorkbench(host.runtime);
}

function openWorkbench(runtime: CoreRuntime): void {
  const appOrigin = new URL(runtime.apiUrl).origin;
  const ses = session.defaultSession;
  installPermissionHandlers(ses, appOrigin);
  installContentSecurityPolicy(ses, appOrigin);
  app.on('web-contents-created', (_event, contents) => {
    guardNavigation(contents, appOrigin, { onBlocked: (url) => openExternalIfAllowed(url) });
    denyWindowOpen(contents);
  });
  const openDataFolder = (path: string): Promise<string> => shell.openPath(path);
  registerWorkbenchIpc(ipcMain, {
    appOrigin,
    connection: { apiUrl: runtime.apiUrl, token: runtime.token },
    dataDir: runtime.dataDir,
    openPath: openDataFolder,
  });
  const version = app.getVersion();
  installAppMenu({
    appName: APP_NAME,
    version,
    isPackaged: app.isPackaged,
    platform: process.platform,
    openDataFolder: () => {
      void openDataFolder(runtime.dataDir).then((failure) => {
        if (failure) console.error(`could not open ${runtime.dataDir}: ${failure}`);
      });
    },
    showAbout: () => showAboutDialog(APP_NAME, version),
  });

  const devIcon = join(app.getAppPath(), 'resources', 'build', 'icon.png');
  const open = (): void => {
    mainWindow = createMainWindow({
      preloadPath: join(buildDir, 'preload.cjs'),
      url: new URL('/', runtime.apiUrl).href,
      allowDevTools: !app.isPackaged,
      ...(!app.isPackaged && existsSync(devIcon) ? { iconPath: devIcon } : {}),
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };
  open();
  app.on('activate', () => {
    if (!mainWindow) open();
  });
}
