// Queries and mutations of upgrade tasks: the list, one task's devices and cells (refreshed by `task` events of
// kind `ota`/`ota.device`), create, stop, retry failed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type CreateOtaTask } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const upgradeKeys = {
  all: ['upgrades'] as const,
  list: ['upgrades', 'list'] as const,
  devices: (taskId: string) => ['upgrades', 'devices', taskId] as const,
  cells: (taskId: string) => ['upgrades', 'cells', taskId] as const,
  timeline: (subTaskId: string) => ['upgrades', 'timeline', subTaskId] as const,
};

export function useUpgradeTasks() {
  const { callApi } = useApi();
  return useQuery({ queryKey: upgradeKeys.list, queryFn: () => callApi(apiRoutes.listOtaTasks, {}) });
}

export function useUpgradeDevices(taskId: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: upgradeKeys.devices(taskId ?? ''),
    queryFn: () => callApi(apiRoutes.listOtaSubTasks, { params: { taskId: taskId ?? '' }, query: {} }),
    enabled: taskId !== undefined,
  });
}

export function useUpgradeCells(taskId: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: upgradeKeys.cells(taskId ?? ''),
    queryFn: () => callApi(apiRoutes.listOtaCells, { params: { taskId: taskId ?? '' } }),
    enabled: taskId !== undefined,
  });
}

export function useUpgradeTimeline(subTaskId: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: upgradeKeys.timeline(subTaskId ?? ''),
    queryFn: () => callApi(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: subTaskId ?? '' } }),
    enabled: subTaskId !== undefined,
  });
}

/** Any upgrade event refetches what is shown (events come batched per animation frame). */
export function useUpgradeEvents() {
  const client = useQueryClient();
  useBusEvents('task', (events) => {
    if (events.some((e) => e.kind === 'ota' || e.kind === 'ota.device'))
      void client.invalidateQueries({ queryKey: upgradeKeys.all });
  });
}

export function useUpgradeActions() {
  const { callApi } = useApi();
  const client = useQueryClient();
  const settled = () => void client.invalidateQueries({ queryKey: upgradeKeys.all });
  return {
    create: useMutation({
      mutationFn: (body: CreateOtaTask) => callApi(apiRoutes.createOtaTask, { body }),
      onSettled: settled,
    }),
    stop: useMutation({
      mutationFn: (taskId: string) => callApi(apiRoutes.stopOtaTask, { params: { taskId } }),
      onSettled: settled,
    }),
    retry: useMutation({
      mutationFn: (taskId: string) => callApi(apiRoutes.retryOtaTask, { params: { taskId } }),
      onSettled: settled,
    }),
    confirm: useMutation({
      mutationFn: (subTaskId: string) => callApi(apiRoutes.confirmOtaSubTask, { params: { subTaskId } }),
      onSettled: settled,
    }),
  };
}
