// IPC channel names shared by the preload and the main-process handlers.
export const IPC_CHANNELS = {
  getConnection: 'workbench:get-connection',
  openDataFolder: 'workbench:open-data-folder',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];
