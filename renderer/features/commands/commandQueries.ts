// Queries and mutations of commands: a device's list (refreshed by `command` events), one command's timeline,
// create / cancel / cancel all / resend, and batch commands with their progress.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type CreateCommandBody, type RouteRequest } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const commandKeys = {
  all: ['commands'] as const,
  ofDevice: (deviceId: string) => ['commands', 'device', deviceId] as const,
  one: (commandId: string) => ['commands', 'one', commandId] as const,
  batch: (taskId: string) => ['commands', 'batch', taskId] as const,
};

export function useDeviceCommands(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: commandKeys.ofDevice(deviceId),
    queryFn: () => callApi(apiRoutes.listCommands, { query: { deviceId, pageSize: 100 } }),
  });
}

export function useCommand(commandId: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: commandKeys.one(commandId ?? ''),
    queryFn: () => callApi(apiRoutes.getCommand, { params: { commandId: commandId ?? '' } }),
    enabled: commandId !== undefined,
  });
}

/** Every state change of a device's commands refetches its list and the open timeline. */
export function useCommandEvents(deviceId: string) {
  const client = useQueryClient();
  useBusEvents('command', (events) => {
    const mine = events.filter((e) => e.deviceId === deviceId);
    if (mine.length === 0) return;
    void client.invalidateQueries({ queryKey: commandKeys.ofDevice(deviceId) });
    for (const id of new Set(mine.map((e) => e.commandId)))
      void client.invalidateQueries({ queryKey: commandKeys.one(id) });
  });
}

export function useCreateCommand(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateCommandBody) => callApi(apiRoutes.createCommand, { params: { id: deviceId }, body }),
    onSettled: () => void client.invalidateQueries({ queryKey: commandKeys.ofDevice(deviceId) }),
  });
}

export function useCommandActions(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  const settled = () => void client.invalidateQueries({ queryKey: commandKeys.all });
  return {
    cancel: useMutation({
      mutationFn: (commandId: string) => callApi(apiRoutes.cancelCommand, { params: { commandId } }),
      onSettled: settled,
    }),
    resend: useMutation({
      mutationFn: (commandId: string) => callApi(apiRoutes.resendCommand, { params: { commandId } }),
      onSettled: settled,
    }),
    cancelAll: useMutation({
      mutationFn: () => callApi(apiRoutes.cancelAllCommands, { params: { id: deviceId } }),
      onSettled: settled,
    }),
  };
}

export function useCreateBatch() {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (body: RouteRequest<typeof apiRoutes.createCommandBatch>['body']) =>
      callApi(apiRoutes.createCommandBatch, { body }),
  });
}

export function useBatch(taskId: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: commandKeys.batch(taskId ?? ''),
    queryFn: () => callApi(apiRoutes.getCommandBatch, { params: { taskId: taskId ?? '' } }),
    enabled: taskId !== undefined,
    refetchInterval: (query) => (query.state.data?.status === 'Done' ? false : 1000),
  });
}
