// Queries and mutations of a device's shadow and config updates, refreshed by `shadow` and `data` events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type CreateConfigBody, type SetDesiredBody } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const shadowKeys = {
  shadow: (deviceId: string) => ['shadow', deviceId] as const,
  history: (deviceId: string) => ['shadow', deviceId, 'history'] as const,
  configs: (deviceId: string) => ['shadow', deviceId, 'configs'] as const,
  all: (deviceId: string) => ['shadow', deviceId] as const,
};

export function useShadow(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: shadowKeys.shadow(deviceId),
    queryFn: () => callApi(apiRoutes.getShadow, { params: { id: deviceId } }),
  });
}

export function useDesiredHistory(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: shadowKeys.history(deviceId),
    queryFn: () => callApi(apiRoutes.listDesiredHistory, { params: { id: deviceId }, query: { limit: 50 } }),
  });
}

export function useConfigUpdates(deviceId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: shadowKeys.configs(deviceId),
    queryFn: () => callApi(apiRoutes.listConfigUpdates, { params: { id: deviceId } }),
  });
}

/** Shadow, history and configs follow the device's `shadow` events and its reports. */
export function useShadowEvents(deviceId: string) {
  const client = useQueryClient();
  const refresh = (events: { deviceId: string }[]) => {
    if (events.some((e) => e.deviceId === deviceId))
      void client.invalidateQueries({ queryKey: shadowKeys.all(deviceId) });
  };
  useBusEvents('shadow', refresh);
  useBusEvents('data', refresh);
}

export function useSetDesired(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SetDesiredBody) => callApi(apiRoutes.setDesired, { params: { id: deviceId }, body }),
    onSettled: () => void client.invalidateQueries({ queryKey: shadowKeys.all(deviceId) }),
  });
}

export function useCreateConfig(deviceId: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateConfigBody) => callApi(apiRoutes.createConfigUpdate, { params: { id: deviceId }, body }),
    onSettled: () => void client.invalidateQueries({ queryKey: shadowKeys.configs(deviceId) }),
  });
}
