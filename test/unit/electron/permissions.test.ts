import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installPermissionHandlers, isPermissionAllowed } from '../../../electron/permissions.js';

const appOrigin = 'http://127.0.0.1:4000';

type RequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string },
) => void;
type CheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean;

function installed() {
  const session = Object.assign(new EventEmitter(), {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
  });
  installPermissionHandlers(session, appOrigin);
  const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as RequestHandler;
  const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as CheckHandler;
  const device = session.setDevicePermissionHandler.mock.calls[0]?.[0] as (details: unknown) => boolean;
  const ask = (permission: string, url = `${appOrigin}/`): boolean => {
    let granted: boolean | undefined;
    request(null, permission, (g) => (granted = g), { requestingUrl: url });
    if (granted === undefined) throw new Error('request handler never answered');
    return granted;
  };
  return { session, ask, check, device };
}

const everyPermission = [
  'serial',
  'hid',
  'usb',
  'media',
  'geolocation',
  'notifications',
  'midi',
  'midiSysex',
  'pointerLock',
  'fullscreen',
  'openExternal',
  'clipboard-read',
  'display-capture',
  'idle-detection',
  'window-management',
  'storage-access',
  'top-level-storage-access',
  'fileSystem',
  'keyboardLock',
  'speaker-selection',
  'unknown',
];

describe('permission handlers', () => {
  it.each(everyPermission)('denies %s to the app itself', (permission) => {
    const { ask, check } = installed();
    expect(ask(permission)).toBe(false);
    expect(check(null, permission, appOrigin, {})).toBe(false);
  });

  it('lets only the app origin write to the clipboard (copy buttons)', () => {
    const { ask, check } = installed();
    expect(ask('clipboard-sanitized-write')).toBe(true);
    expect(check(null, 'clipboard-sanitized-write', appOrigin, {})).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check(null, 'clipboard-sanitized-write', 'http://127.0.0.1:4001', {})).toBe(false);
    expect(isPermissionAllowed('clipboard-read', `${appOrigin}/`, appOrigin)).toBe(false);
  });

  it('grants no USB, HID or serial device', () => {
    const { device } = installed();
    for (const deviceType of ['serial', 'hid', 'usb'])
      expect(device({ deviceType, origin: appOrigin, device: {} })).toBe(false);
  });

  it('cancels the serial, HID and USB pickers without choosing a device', () => {
    const { session } = installed();
    const serial = { preventDefault: vi.fn() };
    const serialCallback = vi.fn();
    session.emit('select-serial-port', serial, [{ portId: '1', portName: 'ttyUSB0' }], {}, serialCallback);
    expect(serial.preventDefault).toHaveBeenCalled();
    expect(serialCallback).toHaveBeenCalledWith('');

    const hidCallback = vi.fn();
    session.emit('select-hid-device', { preventDefault: vi.fn() }, { deviceList: [{ deviceId: 'h' }] }, hidCallback);
    expect(hidCallback).toHaveBeenCalledWith(null);

    const usbCallback = vi.fn();
    session.emit('select-usb-device', { preventDefault: vi.fn() }, { deviceList: [{ deviceId: 'u' }] }, usbCallback);
    expect(usbCallback).toHaveBeenCalledWith();
  });
});
