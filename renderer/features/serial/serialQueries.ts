// Queries and mutations of the serial workbench, typed by the contract; port and session lists refresh on live events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type SerialOpenSettings, type SerialSend } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { downloadFromApi } from '../../api/download.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const serialKeys = {
  ports: ['serial', 'ports'] as const,
  sessions: ['serial', 'sessions'] as const,
  virtual: ['serial', 'virtual'] as const,
  library: ['serial', 'at-library'] as const,
  scripts: ['serial', 'scripts'] as const,
  history: (id: string) => ['serial', 'history', id] as const,
};

export function useSerialPorts() {
  const { callApi } = useApi();
  return useQuery({ queryKey: serialKeys.ports, queryFn: () => callApi(apiRoutes.listSerialPorts) });
}

export function useSerialSessions() {
  const { callApi } = useApi();
  return useQuery({ queryKey: serialKeys.sessions, queryFn: () => callApi(apiRoutes.listSerialSessions) });
}

/** Refetches the port and session lists when the core reports a plug/unplug or a session status change. */
export function useSerialListRefresh(): void {
  const queryClient = useQueryClient();
  useBusEvents('serial', (events) => {
    if (events.some((e) => e.kind === 'ports')) void queryClient.invalidateQueries({ queryKey: serialKeys.ports });
    if (events.some((e) => e.kind === 'status' || e.kind === 'ports')) {
      void queryClient.invalidateQueries({ queryKey: serialKeys.sessions });
    }
  });
}

export function useVirtualModules() {
  const { callApi } = useApi();
  return useQuery({ queryKey: serialKeys.virtual, queryFn: () => callApi(apiRoutes.listVirtualModules) });
}

function useSerialMutation<T, R>(fn: (input: T) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent },
    mutationFn: fn,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: serialKeys.sessions });
      void queryClient.invalidateQueries({ queryKey: serialKeys.ports });
      void queryClient.invalidateQueries({ queryKey: serialKeys.virtual });
    },
  });
}

export function useStartVirtualModule() {
  const { callApi } = useApi();
  return useSerialMutation(() => callApi(apiRoutes.startVirtualModule, { body: {} }));
}

export function useStopVirtualModule() {
  const { callApi } = useApi();
  return useSerialMutation((moduleId: string) => callApi(apiRoutes.stopVirtualModule, { params: { moduleId } }));
}

export function useOpenSession() {
  const { callApi } = useApi();
  // Errors (port busy, cannot open) are shown in the open dialog.
  return useSerialMutation((body: SerialOpenSettings) => callApi(apiRoutes.openSerialSession, { body }), true);
}

export function useCloseSession() {
  const { callApi } = useApi();
  return useSerialMutation((id: string) => callApi(apiRoutes.closeSerialSession, { params: { id } }));
}

export function useSetSignals() {
  const { callApi } = useApi();
  return useSerialMutation((input: { id: string; rts?: boolean; dtr?: boolean }) =>
    callApi(apiRoutes.setSerialSignals, { params: { id: input.id }, body: { rts: input.rts, dtr: input.dtr } }),
  );
}

export function useSendSerial(id: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: SerialSend) => callApi(apiRoutes.sendSerial, { params: { id }, body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: serialKeys.history(id) }),
  });
}

export function useSendHistory(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: serialKeys.history(id),
    queryFn: () => callApi(apiRoutes.serialHistory, { params: { id } }),
  });
}

export function useAtLibrary() {
  const { callApi } = useApi();
  return useQuery({ queryKey: serialKeys.library, queryFn: () => callApi(apiRoutes.atLibrary), staleTime: Infinity });
}

export function useRunAt(id: string) {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (command: string) => callApi(apiRoutes.runAtCommand, { params: { id }, body: { command } }),
  });
}

export function useAtScripts() {
  const { callApi } = useApi();
  return useQuery({ queryKey: serialKeys.scripts, queryFn: () => callApi(apiRoutes.listAtScripts) });
}

export function useSaveAtScript() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (input: { scriptId: string; name: string; steps: { command: string; expect?: string }[] }) =>
      callApi(apiRoutes.saveAtScript, {
        params: { scriptId: input.scriptId },
        body: { name: input.name, steps: input.steps },
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: serialKeys.scripts }),
  });
}

export function useRunAtScript(id: string) {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (scriptId: string) => callApi(apiRoutes.runAtScript, { params: { id, scriptId } }),
  });
}

/** Fetches the session's timestamped log and hands it to the browser as a download. */
export function useSaveLog() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: async (id: string) => {
      const path = apiRoutes.serialLog.path.replace(':id', encodeURIComponent(id));
      await downloadFromApi(connection, `${connection.apiUrl.replace(/\/+$/, '')}${path}`, `serial-${id}.log`);
    },
  });
}
