// Which links may leave the app for the user's browser, and the window-open handler that enforces it.
import { shell, type WebContents } from 'electron';

/** Exact host names (no subdomain wildcard): vendor docs and the project's code host. */
export const EXTERNAL_HOST_ALLOW_LIST: readonly string[] = [
  'support.huaweicloud.com',
  'www.huaweicloud.com',
  'github.com',
  'docs.github.com',
];

export function isAllowedExternalUrl(raw: string, allowList: readonly string[] = EXTERNAL_HOST_ALLOW_LIST): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    allowList.includes(url.hostname.toLowerCase())
  );
}

/** Opens an allow-listed https URL in the system browser; anything else is ignored. Returns whether it opened. */
export function openExternalIfAllowed(raw: string, allowList: readonly string[] = EXTERNAL_HOST_ALLOW_LIST): boolean {
  if (!isAllowedExternalUrl(raw, allowList)) return false;
  void shell.openExternal(raw);
  return true;
}

/** The app never opens a second Electron window: allowed links go to the browser, everything else is dropped. */
export function denyWindowOpen(
  contents: Pick<WebContents, 'setWindowOpenHandler'>,
  allowList?: readonly string[],
): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, allowList);
    return { action: 'deny' };
  });
}
