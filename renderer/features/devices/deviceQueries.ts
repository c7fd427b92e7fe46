// Queries and mutations of the devices area, typed by the contract.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type DeviceListQuery, type RegisterDeviceBody } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';

export const deviceKeys = {
  all: ['devices'] as const,
  list: (query: DeviceListQuery) => ['devices', 'list', query] as const,
  counts: ['devices', 'counts'] as const,
  one: (id: string) => ['devices', 'one', id] as const,
  latest: (id: string) => ['devices', 'latest', id] as const,
  history: (id: string) => ['devices', 'history', id] as const,
};

const LIVE_MS = 2000;

export function useDeviceList(query: DeviceListQuery) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.list(query),
    queryFn: () => callApi(apiRoutes.listDevices, { query }),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_MS,
  });
}

export function useDeviceCounts() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.counts,
    queryFn: () => callApi(apiRoutes.deviceCounts, { query: {} }),
    refetchInterval: LIVE_MS,
  });
}

export function useDevice(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.one(id),
    queryFn: () => callApi(apiRoutes.getDevice, { params: { id } }),
    refetchInterval: LIVE_MS,
  });
}

export function useLatestData(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.latest(id),
    queryFn: () => callApi(apiRoutes.latestDeviceData, { params: { id } }),
    refetchInterval: LIVE_MS,
  });
}

export function useHistory(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.history(id),
    queryFn: () => callApi(apiRoutes.deviceDataHistory, { params: { id }, query: { limit: 50 } }),
    refetchInterval: LIVE_MS,
  });
}

export function useRegisterDevice() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterDeviceBody) => callApi(apiRoutes.registerDevice, { body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: deviceKeys.all }),
  });
}
