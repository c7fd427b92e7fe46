// Queries and mutations of the LwM2M device panel: registration, object definitions, operations, diagnosis, simulator.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  apiRoutes,
  fillPath,
  type DiagnosisKind,
  type Lwm2mOperationBody,
  type SimOtaFaults,
  type StartFleetRequest,
} from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { useApi } from '../../api/ApiProvider.js';
import { downloadFromApi } from '../../api/download.js';

export const lwm2mKeys = {
  registration: (id: string) => ['lwm2m', 'registration', id] as const,
  objects: ['lwm2m', 'objects'] as const,
  tasks: (id: string) => ['lwm2m', 'diagnosis', id] as const,
  simDevice: (id: string) => ['lwm2m', 'sim-device', id] as const,
  fleets: ['lwm2m', 'fleets'] as const,
};

const LIVE_MS = 2000;

export function useLwm2mRegistration(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: lwm2mKeys.registration(deviceId),
    queryFn: () => callApi(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } }),
    refetchInterval: LIVE_MS,
  });
}

export function useLwm2mObjects() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: lwm2mKeys.objects,
    queryFn: () => callApi(apiRoutes.listLwm2mObjects),
    staleTime: Infinity,
  });
}

export function useLwm2mOperation(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Lwm2mOperationBody) => callApi(apiRoutes.runLwm2mOperation, { params: { id: deviceId }, body }),
    onSettled: () => void client.invalidateQueries({ queryKey: lwm2mKeys.registration(deviceId) }),
  });
}

export function useDiagnosisTasks(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: lwm2mKeys.tasks(deviceId),
    queryFn: () => callApi(apiRoutes.listDiagnosisTasks, { params: { id: deviceId } }),
    refetchInterval: LIVE_MS,
  });
}

export function useStartDiagnosis(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (kind: DiagnosisKind) =>
      callApi(kind === 'reboot' ? apiRoutes.rebootDevice : apiRoutes.collectDeviceLogs, { params: { id: deviceId } }),
    onSettled: () => void client.invalidateQueries({ queryKey: lwm2mKeys.tasks(deviceId) }),
  });
}

export function useDownloadDiagnosisLog() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: (taskId: string) =>
      downloadFromApi(
        connection,
        connection.apiUrl.replace(/\/+$/, '') + fillPath(apiRoutes.downloadDiagnosisLog.path, { taskId }),
        `device-log-${taskId}.txt`,
      ),
  });
}

/** The simulated device behind this device id, or null when it is a real one. */
export function useSimDevice(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: lwm2mKeys.simDevice(deviceId),
    queryFn: async () => {
      try {
        return await callApi(apiRoutes.getLwm2mSimDevice, { params: { deviceId } });
      } catch (error) {
        if (error instanceof ApiClientError && error.code === 'NOT_SIMULATED') return null;
        throw error;
      }
    },
    refetchInterval: LIVE_MS,
  });
}

export function useSimFleets() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: lwm2mKeys.fleets,
    queryFn: () => callApi(apiRoutes.listLwm2mFleets),
    refetchInterval: LIVE_MS,
  });
}

function useInvalidateSimulator() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: ['lwm2m'] });
}

export function useStartFleet() {
  const { callApi } = useApi();
  const invalidate = useInvalidateSimulator();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StartFleetRequest) => callApi(apiRoutes.startLwm2mFleet, { body }),
    onSettled: () => {
      invalidate();
      void client.invalidateQueries({ queryKey: ['devices'] });
    },
  });
}

export function useStopFleet() {
  const { callApi } = useApi();
  const invalidate = useInvalidateSimulator();
  return useMutation({
    mutationFn: (id: string) => callApi(apiRoutes.stopLwm2mFleet, { params: { id } }),
    onSettled: invalidate,
  });
}

export function useSimNotify(deviceId: string) {
  const { callApi } = useApi();
  const invalidate = useInvalidateSimulator();
  return useMutation({
    mutationFn: (hex: string | undefined) =>
      callApi(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: hex ? { hex } : {} }),
    onSettled: invalidate,
  });
}

export function useSimCoverage(deviceId: string) {
  const { callApi } = useApi();
  const invalidate = useInvalidateSimulator();
  return useMutation({
    mutationFn: (on: boolean) => callApi(apiRoutes.setLwm2mSimCoverage, { params: { deviceId }, body: { on } }),
    onSettled: invalidate,
  });
}

/** Upgrade faults for simulated devices, set one device after the other (each call replaces that device's faults). */
export function useSetSimOtaFaults() {
  const { callApi } = useApi();
  const invalidate = useInvalidateSimulator();
  return useMutation({
    mutationFn: async ({ deviceIds, faults }: { deviceIds: readonly string[]; faults: SimOtaFaults }) => {
      for (const deviceId of deviceIds) {
        await callApi(apiRoutes.setLwm2mSimOtaFaults, { params: { deviceId }, body: faults });
      }
      return deviceIds.length;
    },
    onSettled: invalidate,
  });
}
