// Globals the renderer sees: Vite's client types and, in Electron only, the preload's bridge.
/// <reference types="vite/client" />
import type { WorkbenchBridge } from '../electron/workbench-api.js';

declare global {
  interface Window {
    /** Present only inside the Electron app (exposed by the preload). */
    workbench?: WorkbenchBridge;
  }
}
