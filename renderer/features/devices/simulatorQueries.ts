// Queries of the MQTT simulator (core/simulator/mqtt), typed by its contract.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type SimOtaFaults, type StartMqttSimulation } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { useApi } from '../../api/ApiProvider.js';

const simulationsKey = ['simulator', 'mqtt'] as const;
const simDeviceKey = (deviceId: string) => ['simulator', 'mqtt', 'device', deviceId] as const;

export function useMqttSimulations() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: simulationsKey,
    queryFn: () => callApi(apiRoutes.listMqttSimulations),
    refetchInterval: 1000,
  });
}

export function useStartMqttSimulation() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: StartMqttSimulation) => callApi(apiRoutes.startMqttSimulation, { body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: simulationsKey }),
  });
}

export function useStopMqttSimulation() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => callApi(apiRoutes.stopMqttSimulation, { params: { id } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: simulationsKey }),
  });
}

/** This device as a virtual MQTT device sees it (`$ota` side), or null when no running simulation holds it. */
export function useMqttSimDevice(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: simDeviceKey(deviceId),
    queryFn: async () => {
      try {
        return await callApi(apiRoutes.getMqttSimDevice, { params: { deviceId } });
      } catch (error) {
        if (error instanceof ApiClientError && error.code === 'NOT_SIMULATED') return null;
        throw error;
      }
    },
    refetchInterval: 2000,
  });
}

/** Upgrade faults for virtual MQTT devices, set one after the other (each call replaces that device's faults). */
export function useSetMqttSimOtaFaults() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: async ({ deviceIds, faults }: { deviceIds: readonly string[]; faults: SimOtaFaults }) => {
      for (const deviceId of deviceIds) {
        await callApi(apiRoutes.setMqttSimOtaFaults, { params: { deviceId }, body: faults });
      }
      return deviceIds.length;
    },
    onSettled: () => void client.invalidateQueries({ queryKey: simulationsKey }),
  });
}
