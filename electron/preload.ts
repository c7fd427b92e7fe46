// Sandboxed preload: puts exactly one typed object, `window.workbench`, into the page. No raw IPC crosses.
import { contextBridge, ipcRenderer } from 'electron';
import { createWorkbenchBridge } from './workbench-bridge.js';
import type { WorkbenchGlobalName } from './workbench-api.js';

const globalName: WorkbenchGlobalName = 'workbench';
// The page gets bound functions on fixed channels, never ipcRenderer itself.
contextBridge.exposeInMainWorld(
  globalName,
  createWorkbenchBridge((channel) => ipcRenderer.invoke(channel), process.platform),
);
