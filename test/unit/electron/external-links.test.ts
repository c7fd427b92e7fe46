import { beforeEach, describe, expect, it, vi } from 'vitest';
import { electron } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const { denyWindowOpen, isAllowedExternalUrl, EXTERNAL_HOST_ALLOW_LIST } =
  await import('../../../electron/external-links.js');

type OpenHandler = (details: { url: string }) => { action: string };

function installedHandler(): OpenHandler {
  let handler: OpenHandler | undefined;
  denyWindowOpen({ setWindowOpenHandler: (h) => void (handler = h as unknown as OpenHandler) });
  if (!handler) throw new Error('no window-open handler installed');
  return handler;
}

describe('window.open and external links', () => {
  beforeEach(() => electron.shell.openExternal.mockClear());

  it('lists the vendor docs and the code host', () => {
    expect(EXTERNAL_HOST_ALLOW_LIST).toContain('support.huaweicloud.com');
    expect(EXTERNAL_HOST_ALLOW_LIST).toContain('github.com');
  });

  it.each([
    'https://support.huaweicloud.com/usermanual-iothub/iot_01_0015.html',
    'https://github.com/acme/firmware/issues/1',
  ])('opens allow-listed %s in the system browser and still denies the Electron window', (url) => {
    expect(installedHandler()({ url })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).toHaveBeenCalledWith(url);
  });

  it.each([
    'http://github.com/',
    'https://evil.example/',
    'https://github.com.evil.example/',
    'https://evil.github.com/',
    'https://github.com@evil.example/',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://127.0.0.1:4000/',
    'not a url',
  ])('denies %s without opening anything', (url) => {
    expect(installedHandler()({ url })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
    expect(isAllowedExternalUrl(url)).toBe(false);
  });
});
