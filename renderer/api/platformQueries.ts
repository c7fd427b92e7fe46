// Queries and mutations for the core's own routes (platform info, settings, logs), shared by the shell and pages.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type Settings } from '../../core/contract/index.js';
import { useApi } from './ApiProvider.js';

export const platformKeys = {
  info: ['platform', 'info'] as const,
  settings: ['platform', 'settings'] as const,
  logs: (limit: number) => ['platform', 'logs', limit] as const,
};

export function usePlatformInfo() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: platformKeys.info,
    queryFn: () => callApi(apiRoutes.info),
    refetchInterval: 30_000,
  });
}

export function useSettings() {
  const { callApi } = useApi();
  return useQuery({ queryKey: platformKeys.settings, queryFn: () => callApi(apiRoutes.getSettings) });
}

export function useSaveSettings() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    // Validation errors are shown beside the fields instead of as a notification.
    meta: { silent: true },
    mutationFn: (changes: Partial<Settings>) => callApi(apiRoutes.putSettings, { body: changes }),
    onSuccess: (result) => {
      queryClient.setQueryData(platformKeys.settings, { saved: result.saved, active: result.active });
    },
  });
}

export function useRecentLogs(limit: number, enabled: boolean) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: platformKeys.logs(limit),
    queryFn: () => callApi(apiRoutes.logs, { query: { limit } }),
    enabled,
    staleTime: Infinity,
  });
}
