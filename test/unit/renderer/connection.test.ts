// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fragmentWithoutToken,
  readTokenFromFragment,
  resolveBrowserConnection,
  resolveConnection,
  TOKEN_STORAGE_KEY,
} from '../../../renderer/app/connection.js';

const token = '0123456789abcdef0123456789abcdef';

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    values,
  };
}

function location(hash: string) {
  return { origin: 'http://127.0.0.1:40123', pathname: '/', search: '', hash };
}

describe('token from the URL fragment', () => {
  it('reads a well-formed token and ignores anything else', () => {
    expect(readTokenFromFragment(`#token=${token}`)).toBe(token);
    expect(readTokenFromFragment(`#foo=1&token=${token}`)).toBe(token);
    expect(readTokenFromFragment('')).toBeUndefined();
    expect(readTokenFromFragment('#token=')).toBeUndefined();
    expect(readTokenFromFragment('#token=short')).toBeUndefined();
    expect(readTokenFromFragment('#token=<script>alert(1)</script>xxxxxxxx')).toBeUndefined();
  });

  it('keeps other fragment parameters when removing the token', () => {
    expect(fragmentWithoutToken(`#token=${token}`)).toBe('');
    expect(fragmentWithoutToken(`#a=1&token=${token}`)).toBe('#a=1');
  });

  it('stores the token for this tab and strips it from the address bar', () => {
    const storage = memoryStorage();
    const replaceUrl = vi.fn();
    const connection = resolveBrowserConnection({ location: location(`#token=${token}`), storage, replaceUrl });
    expect(connection).toEqual({ apiUrl: 'http://127.0.0.1:40123', token });
    expect(storage.values.get(TOKEN_STORAGE_KEY)).toBe(token);
    expect(replaceUrl).toHaveBeenCalledWith('/');
  });

  it('uses the stored token after a reload without a fragment', () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: token });
    const replaceUrl = vi.fn();
    expect(resolveBrowserConnection({ location: location(''), storage, replaceUrl })).toEqual({
      apiUrl: 'http://127.0.0.1:40123',
      token,
    });
    expect(replaceUrl).not.toHaveBeenCalled();
  });

  it('has no connection without any token, and still strips a malformed one', () => {
    const replaceUrl = vi.fn();
    expect(resolveBrowserConnection({ location: location(''), storage: memoryStorage(), replaceUrl })).toBeUndefined();
    expect(
      resolveBrowserConnection({ location: location('#token=bad'), storage: memoryStorage(), replaceUrl }),
    ).toBeUndefined();
    expect(replaceUrl).toHaveBeenCalledWith('/');
  });
});

describe('resolveConnection', () => {
  afterEach(() => {
    delete window.workbench;
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/');
  });

  it('reads the real window location and removes the token from history', async () => {
    window.history.replaceState(null, '', `/settings#token=${token}`);
    const connection = await resolveConnection();
    expect(connection).toEqual({ apiUrl: window.location.origin, token });
    expect(window.location.hash).toBe('');
    expect(window.location.pathname).toBe('/settings');
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe(token);
  });

  it('prefers the Electron bridge when it exists', async () => {
    window.workbench = {
      kind: 'electron',
      platform: 'linux',
      getConnection: () => Promise.resolve({ apiUrl: 'http://127.0.0.1:5555', token }),
      openDataFolder: () => Promise.resolve(),
    };
    window.history.replaceState(null, '', `/#token=${'b'.repeat(32)}`);
    expect(await resolveConnection()).toEqual({ apiUrl: 'http://127.0.0.1:5555', token });
  });
});
