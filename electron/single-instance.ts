// One workbench per user: the core owns fixed device ports and the database, so a second copy must not start.
import type { BrowserWindow } from 'electron';

/** The part of Electron's `app` this needs; the real `app` fits. */
export interface InstanceLockApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

/** Returns false (and quits) when another instance already runs; that instance then comes to the front. */
export function claimSingleInstance(
  app: InstanceLockApp,
  getWindow: () => Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'> | null,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = getWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}
