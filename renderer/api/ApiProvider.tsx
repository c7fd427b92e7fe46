// Gives the tree one API client and one live-events connection for the resolved core connection.
import { QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createApiClient, type ApiClient, type ApiConnection } from './client.js';
import { EventsClient } from './events.js';
import { createWorkbenchQueryClient } from './queryClient.js';

interface ApiContextValue {
  client: ApiClient;
  events: EventsClient;
}

const ApiContext = createContext<ApiContextValue | undefined>(undefined);

export function ApiProvider({ connection, children }: { connection: ApiConnection; children: ReactNode }) {
  const value = useMemo<ApiContextValue>(
    () => ({ client: createApiClient(connection), events: new EventsClient({ connection }) }),
    [connection],
  );
  const [queryClient] = useState(createWorkbenchQueryClient);

  useEffect(() => {
    value.events.start();
    return () => value.events.stop();
  }, [value]);

  return (
    <ApiContext.Provider value={value}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi must be used inside <ApiProvider>');
  return value;
}

export function useApi(): ApiClient {
  return useApiContext().client;
}

export function useEventsClient(): EventsClient {
  return useApiContext().events;
}
