// Queries and mutations of the traffic inspector, typed by the contract.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { saveFile } from '../../api/download.js';

export const trafficKeys = {
  frame: (seq: number) => ['traffic', 'frame', seq] as const,
  stats: ['traffic', 'stats'] as const,
  savedFilters: ['traffic', 'saved-filters'] as const,
  filterCheck: (expression: string) => ['traffic', 'filter-check', expression] as const,
};

export function useTrafficFrame(seq: number | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: trafficKeys.frame(seq ?? -1),
    queryFn: () => callApi(apiRoutes.getTrafficFrame, { params: { seq: seq! } }),
    enabled: seq !== undefined,
    staleTime: Infinity,
    // The core answers "pending" when the codec is still busy: ask again until the decode is there.
    refetchInterval: (query) => (query.state.data?.codec?.status === 'pending' ? 500 : false),
    meta: { silent: true },
  });
}

export function useTrafficStats() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: trafficKeys.stats,
    queryFn: () => callApi(apiRoutes.trafficStats),
    refetchInterval: 2000,
  });
}

export function useFilterCheck(expression: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: trafficKeys.filterCheck(expression),
    queryFn: () => callApi(apiRoutes.checkTrafficFilter, { query: { expression } }),
    staleTime: Infinity,
  });
}

export function useSavedFilters() {
  const { callApi } = useApi();
  return useQuery({ queryKey: trafficKeys.savedFilters, queryFn: () => callApi(apiRoutes.listSavedFilters) });
}

export function useSaveFilter() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; expression: string }) => callApi(apiRoutes.saveFilter, { body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: trafficKeys.savedFilters }),
  });
}

export function useDeleteSavedFilter() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => callApi(apiRoutes.deleteSavedFilter, { params: { id } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: trafficKeys.savedFilters }),
  });
}

export function useClearTraffic() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => callApi(apiRoutes.clearTraffic),
    onSuccess: (stats) => queryClient.setQueryData(trafficKeys.stats, stats),
  });
}

export function useExportTraffic() {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (query: { format: 'pcapng' | 'json'; filter?: string }) => callApi(apiRoutes.exportTraffic, { query }),
    onSuccess: (result) => {
      const bytes = Uint8Array.from(atob(result.contentBase64), (c) => c.charCodeAt(0));
      saveFile(result.fileName, new Blob([bytes], { type: result.mediaType }));
    },
  });
}
