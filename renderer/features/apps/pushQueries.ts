// Queries and mutations of an application's Subscriptions tab: subscriptions with their URL state, deliveries,
// "retry now", callback CAs and the built-in test receiver. `push` events refresh them as deliveries happen.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { apiRoutes, type NotifyType } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const pushKeys = {
  all: ['push'] as const,
  subscriptions: (appId: string) => ['push', 'subscriptions', appId] as const,
  deliveries: (url: string) => ['push', 'deliveries', url] as const,
  receiver: ['push', 'receiver'] as const,
  cas: ['push', 'cas'] as const,
};

// The queue moves on its own (retries, probes): poll slowly, and refresh at once on `push` events.
const LIVE_MS = 3000;

/** Refreshes the push queries when the core announces a delivery, a state change or a received push. */
export function usePushLiveRefresh() {
  const client = useQueryClient();
  const pending = useRef(false);
  useBusEvents('push', () => {
    if (pending.current) return;
    pending.current = true;
    // At most one refresh in flight per burst of events.
    void client.invalidateQueries({ queryKey: pushKeys.all }).finally(() => (pending.current = false));
  });
}

export function useSubscriptions(appId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: pushKeys.subscriptions(appId),
    queryFn: () => callApi(apiRoutes.listSubscriptions, { params: { appId } }),
    refetchInterval: LIVE_MS,
  });
}

export function useDeliveries(url: string, enabled: boolean) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: pushKeys.deliveries(url),
    queryFn: () => callApi(apiRoutes.listPushDeliveries, { query: { url, limit: 20 } }),
    enabled,
    refetchInterval: enabled ? LIVE_MS : false,
  });
}

export function useTestReceiver() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: pushKeys.receiver,
    queryFn: () => callApi(apiRoutes.getTestReceiver),
    refetchInterval: LIVE_MS,
  });
}

export function useCallbackCas() {
  const { callApi } = useApi();
  return useQuery({ queryKey: pushKeys.cas, queryFn: () => callApi(apiRoutes.listCallbackCas) });
}

function usePushMutation<T, R>(fn: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: pushKeys.all }),
  });
}

export function useCreateSubscription(appId: string) {
  const { callApi } = useApi();
  return usePushMutation((body: { notifyType: NotifyType; callbackUrl: string }) =>
    callApi(apiRoutes.createSubscription, { params: { appId }, body }),
  );
}

export function useDeleteSubscription(appId: string) {
  const { callApi } = useApi();
  return usePushMutation((subscriptionId: string) =>
    callApi(apiRoutes.deleteSubscription, { params: { appId, subscriptionId } }),
  );
}

export function useRetryUrl() {
  const { callApi } = useApi();
  return usePushMutation((url: string) => callApi(apiRoutes.retryPushUrl, { body: { url } }));
}

export function useSetTestReceiver() {
  const { callApi } = useApi();
  return usePushMutation((body: { answer?: 200 | 503 | 'none'; clear?: boolean }) =>
    callApi(apiRoutes.setTestReceiver, { body }),
  );
}

export function usePutCallbackCa() {
  const { callApi } = useApi();
  return usePushMutation((body: { hostPort: string; caPem: string; checkCn: boolean; sni: boolean }) =>
    callApi(apiRoutes.putCallbackCa, { body }),
  );
}

export function useDeleteCallbackCa() {
  const { callApi } = useApi();
  return usePushMutation((hostPort: string) => callApi(apiRoutes.deleteCallbackCa, { params: { hostPort } }));
}
