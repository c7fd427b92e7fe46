// Queries of the MQTT simulator (core/simulator/mqtt), typed by its contract.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type StartMqttSimulation } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';

const simulationsKey = ['simulator', 'mqtt'] as const;

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
