import { describe, expect, it, vi } from 'vitest';
import { buildContentSecurityPolicy, installContentSecurityPolicy } from '../../../electron/csp.js';

const appOrigin = 'http://127.0.0.1:43117';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('Content-Security-Policy', () => {
  it('allows only the app itself, plus what Mantine and Monaco need', () => {
    const policy = directives(buildContentSecurityPolicy(appOrigin));
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data: blob:",
      'font-src': "'self' data:",
      'connect-src': "'self' ws://127.0.0.1:43117",
      'worker-src': "'self' blob:",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('never allows eval or inline script', () => {
    const policy = buildContentSecurityPolicy(appOrigin);
    expect(policy).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
    expect(directives(policy).get('script-src')).toBe("'self'");
  });

  it('replaces any policy the server sent on responses from the app origin', () => {
    const onHeadersReceived = vi.fn();
    installContentSecurityPolicy({ webRequest: { onHeadersReceived } } as never, appOrigin);
    const [filter, listener] = onHeadersReceived.mock.calls[0] as [
      { urls: string[] },
      (details: { responseHeaders?: Record<string, string[]> }, callback: (response: unknown) => void) => void,
    ];
    expect(filter.urls).toEqual([`${appOrigin}/*`]);

    const callback = vi.fn();
    listener(
      {
        responseHeaders: {
          'content-type': ['text/html'],
          'content-security-policy': ["default-src *; script-src 'unsafe-eval'"],
        },
      },
      callback,
    );
    const { responseHeaders } = callback.mock.calls[0]?.[0] as { responseHeaders: Record<string, string[]> };
    expect(responseHeaders['content-type']).toEqual(['text/html']);
    expect(responseHeaders['content-security-policy']).toBeUndefined();
    expect(responseHeaders['Content-Security-Policy']).toEqual([buildContentSecurityPolicy(appOrigin)]);
  });
});
