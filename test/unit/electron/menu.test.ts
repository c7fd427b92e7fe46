import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { electron } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const { buildAppMenuTemplate, installAppMenu, showAboutDialog } = await import('../../../electron/menu.js');

function options(overrides: Partial<Parameters<typeof buildAppMenuTemplate>[0]> = {}) {
  return {
    appName: 'IoT Workbench',
    version: '0.1.0',
    isPackaged: true,
    platform: 'linux' as const,
    openDataFolder: vi.fn(),
    showAbout: vi.fn(),
    ...overrides,
  };
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

const roles = (template: MenuItemConstructorOptions[]) =>
  items(template)
    .map((item) => item.role)
    .filter(Boolean);

describe('application menu', () => {
  it('has File, Edit, View and Help', () => {
    const template = buildAppMenuTemplate(options());
    expect(template.map((item) => item.label ?? item.role)).toEqual(['&File', 'editMenu', '&View', 'help']);
  });

  it('opens the data folder and quits from File', () => {
    const o = options();
    const file = buildAppMenuTemplate(o)[0]?.submenu as MenuItemConstructorOptions[];
    const open = file.find((item) => item.label === 'Open Data Folder');
    (open?.click as () => void)();
    expect(o.openDataFolder).toHaveBeenCalled();
    expect(file.some((item) => item.role === 'quit')).toBe(true);
  });

  it('offers devtools only when not packaged', () => {
    expect(roles(buildAppMenuTemplate(options({ isPackaged: true })))).not.toContain('toggleDevTools');
    expect(roles(buildAppMenuTemplate(options({ isPackaged: false })))).toContain('toggleDevTools');
  });

  it('has reload and zoom in View', () => {
    expect(roles(buildAppMenuTemplate(options()))).toEqual(
      expect.arrayContaining(['reload', 'resetZoom', 'zoomIn', 'zoomOut']),
    );
  });

  it('adds the macOS app menu on darwin', () => {
    expect(buildAppMenuTemplate(options({ platform: 'darwin' }))[0]?.role).toBe('appMenu');
  });

  it('shows the version in About', () => {
    const o = options();
    const about = items(buildAppMenuTemplate(o)).find((item) => item.label === 'About IoT Workbench');
    (about?.click as () => void)();
    expect(o.showAbout).toHaveBeenCalled();
    showAboutDialog('IoT Workbench', '0.1.0');
    expect(electron.dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'IoT Workbench 0.1.0' }),
    );
  });

  it('installs the menu as the application menu', () => {
    installAppMenu(options());
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledOnce();
  });
});
