import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { guardNavigation } from '../../../electron/navigation-guard.js';

const appOrigin = 'http://127.0.0.1:4000';

function navigation(url: string, extra: Record<string, unknown> = {}) {
  return { url, isMainFrame: true, preventDefault: vi.fn(), ...extra };
}

function guarded() {
  const contents = new EventEmitter();
  const onBlocked = vi.fn();
  guardNavigation(contents, appOrigin, { onBlocked });
  return { contents, onBlocked };
}

describe('navigation guard', () => {
  it('lets the window move within the app origin', () => {
    const { contents, onBlocked } = guarded();
    const event = navigation(`${appOrigin}/devices/42#traffic`);
    contents.emit('will-navigate', event);
    expect(event.preventDefault).not.toHaveBeenCalled();
    expect(onBlocked).not.toHaveBeenCalled();
  });

  it.each([
    'https://github.com/',
    'http://127.0.0.1:4001/',
    'http://localhost:4000/',
    'file:///etc/passwd',
    'javascript:alert(1)',
  ])('blocks navigation to %s and reports it', (url) => {
    const { contents, onBlocked } = guarded();
    const event = navigation(url);
    contents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(onBlocked).toHaveBeenCalledWith(url);
  });

  it('blocks a redirect off the app origin', () => {
    const { contents } = guarded();
    const event = navigation('https://evil.example/');
    contents.emit('will-redirect', event);
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('keeps iframes on the app origin without opening their links', () => {
    const { contents, onBlocked } = guarded();
    const foreign = navigation('https://evil.example/', { isMainFrame: false });
    const own = navigation(`${appOrigin}/frame`, { isMainFrame: false });
    contents.emit('will-frame-navigate', foreign);
    contents.emit('will-frame-navigate', own);
    expect(foreign.preventDefault).toHaveBeenCalled();
    expect(own.preventDefault).not.toHaveBeenCalled();
    expect(onBlocked).not.toHaveBeenCalled();
  });

  it('refuses every <webview>', () => {
    const { contents } = guarded();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });
});
