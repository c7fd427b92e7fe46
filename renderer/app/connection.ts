// Where the renderer finds the core: the Electron bridge, or the token the `serve` URL carries in its fragment.
import type { ApiConnection } from '../api/client.js';

export const TOKEN_STORAGE_KEY = 'iotwb.token';

/** Same rule as the core's token setting: 16–128 characters of A-Z a-z 0-9 _ -. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Reads `token` from a URL fragment such as `#token=ab12…`; undefined when absent or malformed. */
export function readTokenFromFragment(hash: string): string | undefined {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (fragment === '') return undefined;
  const token = new URLSearchParams(fragment).get('token');
  return token !== null && TOKEN_PATTERN.test(token) ? token : undefined;
}

/** The fragment with `token` removed, keeping anything else (`#a=1`), or '' when nothing is left. */
export function fragmentWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  params.delete('token');
  const rest = params.toString();
  return rest === '' ? '' : `#${rest}`;
}

export interface BrowserLocationLike {
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}

export interface BrowserConnectionDeps {
  location: BrowserLocationLike;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  replaceUrl: (url: string) => void;
}

/**
 * Headless `serve`: take the token from the fragment once, keep it for this tab in sessionStorage and
 * strip it from the address bar so it does not end up in screenshots, history or bookmarks.
 */
export function resolveBrowserConnection({
  location,
  storage,
  replaceUrl,
}: BrowserConnectionDeps): ApiConnection | undefined {
  const fromFragment = readTokenFromFragment(location.hash);
  if (fromFragment !== undefined) {
    storage.setItem(TOKEN_STORAGE_KEY, fromFragment);
  }
  if (new URLSearchParams(location.hash.replace(/^#/, '')).has('token')) {
    replaceUrl(`${location.pathname}${location.search}${fragmentWithoutToken(location.hash)}`);
  }
  const token = fromFragment ?? storage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  if (token === undefined || !TOKEN_PATTERN.test(token)) return undefined;
  return { apiUrl: location.origin, token };
}

/** The connection for this window: from the Electron bridge when present, else from the browser URL. */
export async function resolveConnection(): Promise<ApiConnection | undefined> {
  const bridge = window.workbench;
  if (bridge !== undefined) {
    const { apiUrl, token } = await bridge.getConnection();
    return { apiUrl, token };
  }
  return resolveBrowserConnection({
    location: window.location,
    storage: window.sessionStorage,
    replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
  });
}
