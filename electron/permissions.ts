// Web permissions: denied by default. Serial, HID and USB stay with the core, never the page.
import type { Session } from 'electron';
import { isAppUrl } from './navigation-guard.js';

/** The only grant: "copy" buttons (navigator.clipboard.writeText) on the app's own pages. */
const APP_ORIGIN_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return APP_ORIGIN_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, appOrigin);
}

interface PickerEvent {
  preventDefault(): void;
}

/** The parts of a Session this needs; a real Session fits. */
export interface PermissionSession {
  setPermissionRequestHandler: Session['setPermissionRequestHandler'];
  setPermissionCheckHandler: Session['setPermissionCheckHandler'];
  setDevicePermissionHandler: Session['setDevicePermissionHandler'];
  on(
    event: 'select-serial-port',
    listener: (event: PickerEvent, ports: unknown[], contents: unknown, callback: (portId: string) => void) => void,
  ): unknown;
  on(
    event: 'select-hid-device',
    listener: (event: PickerEvent, details: unknown, callback: (deviceId?: string | null) => void) => void,
  ): unknown;
  on(
    event: 'select-usb-device',
    listener: (event: PickerEvent, details: unknown, callback: (deviceId?: string) => void) => void,
  ): unknown;
}

export function installPermissionHandlers(session: PermissionSession, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, appOrigin));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, appOrigin),
  );
  session.setDevicePermissionHandler(() => false);
  // Device pickers: cancel without choosing, so the page never gets a port or device.
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
}
