// Queries and mutations of gateways: a gateway with its sub-devices (refreshed by gateway and device events), a
// sub-device's state as its gateway reported it, DISCOVERY, and the gateways for the device list's filter.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const gatewayKeys = {
  all: ['gateways'] as const,
  one: (id: string) => ['gateways', 'one', id] as const,
  subDevice: (id: string) => ['gateways', 'sub-device', id] as const,
  list: ['gateways', 'list'] as const,
};

/** Fallback when live events are lost; the pairing countdown ticks locally in between. */
const FALLBACK_MS = 10_000;

export function useGateway(id: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  useBusEvents('task', (events) => {
    if (events.some((e) => e.taskId === id && e.kind.startsWith('gateway.')))
      void client.invalidateQueries({ queryKey: gatewayKeys.one(id) });
  });
  useBusEvents('device', () => void client.invalidateQueries({ queryKey: gatewayKeys.one(id) }));
  return useQuery({
    queryKey: gatewayKeys.one(id),
    queryFn: () => callApi(apiRoutes.getGateway, { params: { id } }),
    refetchInterval: FALLBACK_MS,
  });
}

export function useSubDeviceState(id: string, enabled: boolean) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: gatewayKeys.subDevice(id),
    queryFn: () => callApi(apiRoutes.getSubDeviceState, { params: { id } }),
    enabled,
    refetchInterval: FALLBACK_MS,
  });
}

/** The gateways of the workbench (the first 500), for the device list's filter and gateway column. */
export function useGatewayList() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: gatewayKeys.list,
    queryFn: () => callApi(apiRoutes.listDevices, { query: { nodeType: 'GATEWAY', limit: 500 } }),
    refetchInterval: 30_000,
  });
}

export function useStartDiscovery(id: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: () => callApi(apiRoutes.startDiscovery, { params: { id }, body: { paras: {} } }),
    onSuccess: (view) => client.setQueryData(gatewayKeys.one(id), view),
  });
}
