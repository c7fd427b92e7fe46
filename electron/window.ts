// The main window: locked-down web preferences, shown only once the first paint is ready.
import { BrowserWindow, type WebPreferences } from 'electron';

/** Every renderer setting that keeps page script away from Node and the OS. */
export function secureWebPreferences(preloadPath: string, allowDevTools = false): WebPreferences {
  return {
    preload: preloadPath,
    devTools: allowDevTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  /** The UI as the core serves it, e.g. `http://127.0.0.1:43117/`. */
  url: string;
  /** Linux/Windows taskbar icon when running unpackaged. */
  iconPath?: string;
  /** Only for unpackaged runs: devtools can read the API token. */
  allowDevTools?: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'IoT Workbench',
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#1a1b1e',
    ...(options.iconPath === undefined ? {} : { icon: options.iconPath }),
    webPreferences: secureWebPreferences(options.preloadPath, options.allowDevTools ?? false),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}
