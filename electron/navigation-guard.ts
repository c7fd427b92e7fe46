// Keeps every webContents on the app's own origin: no navigation, redirect or <webview> elsewhere.

interface NavigationEvent {
  readonly url: string;
  readonly isMainFrame: boolean;
  preventDefault(): void;
}

/** The events of a WebContents the guard listens to; a real WebContents fits. */
export interface NavigableContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
}

export function isAppUrl(raw: string, appOrigin: string): boolean {
  try {
    return new URL(raw).origin === appOrigin;
  } catch {
    return false;
  }
}

export interface NavigationGuardOptions {
  /** Told about each blocked URL, e.g. to open an allow-listed link in the browser instead. */
  onBlocked?: (url: string) => void;
}

export function guardNavigation(
  contents: NavigableContents,
  appOrigin: string,
  options: NavigationGuardOptions = {},
): void {
  const guard = (event: NavigationEvent): void => {
    if (isAppUrl(event.url, appOrigin)) return;
    event.preventDefault();
    options.onBlocked?.(event.url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  // will-navigate covers only the main frame; iframes are held to the same origin but never open links.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isAppUrl(event.url, appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
