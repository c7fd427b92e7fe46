// The one object the preload puts on `window.workbench`; type-only and Node-free so the renderer can `import type` it.

export interface WorkbenchConnection {
  /** Base URL of the core's HTTP API on 127.0.0.1, e.g. `http://127.0.0.1:43117`. */
  apiUrl: string;
  /** Per-launch bearer token for every API request and the WebSocket. */
  token: string;
}

export interface WorkbenchBridge {
  readonly kind: 'electron';
  /** NodeJS.Platform of the desktop host, as a plain string so this file needs no Node types. */
  readonly platform: string;
  getConnection(): Promise<WorkbenchConnection>;
  openDataFolder(): Promise<void>;
}

/** Name of the global the preload defines; the renderer reads `window[WORKBENCH_GLOBAL]`. */
export type WorkbenchGlobalName = 'workbench';
