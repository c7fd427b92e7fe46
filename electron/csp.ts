// Content-Security-Policy for the UI, set by the main process so it holds even if the core's headers change.
import type { Session } from 'electron';

/** `appOrigin` is the core's origin, e.g. `http://127.0.0.1:43117`; live events come over ws:// on the same port. */
export function buildContentSecurityPolicy(appOrigin: string): string {
  const { host } = new URL(appOrigin);
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Mantine writes style attributes and <style> tags at runtime.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    // Monaco starts its workers from blob: URLs.
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function installContentSecurityPolicy(session: Pick<Session, 'webRequest'>, appOrigin: string): void {
  const policy = buildContentSecurityPolicy(appOrigin);
  session.webRequest.onHeadersReceived({ urls: [`${appOrigin}/*`] }, (details, callback) => {
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      // Drop any policy the server sent so exactly one policy applies.
      if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = value;
    }
    responseHeaders['Content-Security-Policy'] = [policy];
    callback({ responseHeaders });
  });
}
