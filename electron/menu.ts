// The application menu: File, Edit, View, Help (plus the app menu macOS expects).
import { Menu, dialog, type MenuItemConstructorOptions } from 'electron';

export interface AppMenuOptions {
  appName: string;
  version: string;
  isPackaged: boolean;
  platform: NodeJS.Platform;
  openDataFolder: () => void;
  showAbout: () => void;
}

export function buildAppMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'Open Data Folder', click: () => options.openDataFolder() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        // Devtools would let anyone with the window run script with the API token.
        ...(options.isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [{ label: `About ${options.appName}`, click: () => options.showAbout() }],
    },
  );
  return template;
}

export function installAppMenu(options: AppMenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildAppMenuTemplate(options)));
}

export function showAboutDialog(appName: string, version: string): void {
  void dialog.showMessageBox({
    type: 'info',
    title: `About ${appName}`,
    message: `${appName} ${version}`,
    detail: `Electron ${process.versions.electron ?? '?'} · Chromium ${process.versions.chrome ?? '?'} · Node ${process.versions.node}`,
  });
}
