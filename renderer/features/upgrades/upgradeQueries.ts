// Queries and mutations of upgrade tasks: the list, one task's devices and cells, a device's history (refreshed by
// `task` events of kind `ota`/`ota.device`), create, stop, retry failed, delete, app confirm.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type CreateOtaTask } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { isEventOfDevice } from './upgradeView.js';

export const upgradeKeys = {
  all: ['upgrades'] as const,
  list: ['upgrades', 'list'] as const,
  devices: (taskId: string) => ['upgrades', 'devices', taskId] as const,
  cells: (taskId: string) => ['upgrades', 'cells', taskId] as const,
  timeline: (subTaskId: string) => ['upgrades', 'timeline', subTaskId] as const,
  device: (deviceId: string) => ['upgrades', 'device', deviceId] as const,
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

/** One device's upgrade history: its sub-tasks, newest first. */
export function useDeviceUpgradeHistory(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: upgradeKeys.device(deviceId),
    queryFn: () => callApi(apiRoutes.deviceOtaHistory, { params: { id: deviceId } }),
  });
}

/** Events about this device refetch its history and timelines; task events refetch the task list (names, counts). */
export function useDeviceUpgradeEvents(deviceId: string) {
  const client = useQueryClient();
  useBusEvents('task', (events) => {
    if (events.some((e) => isEventOfDevice(e, deviceId))) {
      void client.invalidateQueries({ queryKey: upgradeKeys.device(deviceId) });
      void client.invalidateQueries({ queryKey: ['upgrades', 'timeline'] });
    }
    if (events.some((e) => e.kind === 'ota')) void client.invalidateQueries({ queryKey: upgradeKeys.list });
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
    /** Confirms the listed sub-tasks one after the other; one that stopped waiting meanwhile does not stop the rest. */
    confirmAll: useMutation({
      mutationFn: async (subTaskIds: readonly string[]) => {
        let confirmed = 0;
        for (const subTaskId of subTaskIds) {
          try {
            await callApi(apiRoutes.confirmOtaSubTask, { params: { subTaskId } });
            confirmed++;
          } catch {
            // Counted below: the device timed out or was confirmed elsewhere in the meantime.
          }
        }
        return { confirmed, failed: subTaskIds.length - confirmed };
      },
      onSettled: settled,
    }),
    remove: useMutation({
      mutationFn: (taskId: string) => callApi(apiRoutes.deleteOtaTask, { params: { taskId } }),
      onSettled: settled,
    }),
  };
}
