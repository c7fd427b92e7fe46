// TanStack Query defaults for a local API, with a readable notification for every failed call.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { notifyApiError } from './errorNotifications.js';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { silent?: boolean };
    mutationMeta: { silent?: boolean };
  }
}

export function createWorkbenchQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (!query.meta?.silent) notifyApiError(error);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!mutation.meta?.silent) notifyApiError(error);
      },
    }),
    defaultOptions: {
      queries: {
        // The core is on this machine: fail fast, retry once for a core that is just restarting.
        retry: 1,
        retryDelay: 500,
        staleTime: 5_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
