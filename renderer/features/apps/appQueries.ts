// Queries and mutations of the applications area, typed by the contract. A secret arrives only in the answer to the
// call that made it (create, reset) and is never cached.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type GrantAccess } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';

export const appKeys = {
  all: ['apps'] as const,
  list: ['apps', 'list'] as const,
  one: (appId: string) => ['apps', 'one', appId] as const,
  grants: (appId: string) => ['apps', 'grants', appId] as const,
  northbound: ['apps', 'northbound'] as const,
};

// Login state (tokenExpiresAt) and device counts change from outside the page.
const LIVE_MS = 5000;

export function useApplications() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: appKeys.list,
    queryFn: () => callApi(apiRoutes.listApplications),
    refetchInterval: LIVE_MS,
  });
}

export function useApplication(appId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: appKeys.one(appId),
    queryFn: () => callApi(apiRoutes.getApplication, { params: { appId } }),
    refetchInterval: LIVE_MS,
    retry: (count, error) => !('status' in error && error.status === 404) && count < 2,
  });
}

export function useApplicationGrants(appId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: appKeys.grants(appId),
    queryFn: () => callApi(apiRoutes.listApplicationGrants, { params: { appId } }),
  });
}

export function useNorthboundEndpoint() {
  const { callApi } = useApi();
  return useQuery({ queryKey: appKeys.northbound, queryFn: () => callApi(apiRoutes.northboundEndpoint) });
}

/** Every mutation here changes what the list, one app and the grants show: refresh them all. */
function useAppMutation<T, R>(fn: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    // Errors are shown in the dialog or card that caused them.
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: appKeys.all }),
  });
}

export function useCreateApplication() {
  const { callApi } = useApi();
  return useAppMutation((body: { name: string; industry?: string }) => callApi(apiRoutes.createApplication, { body }));
}

export function useUpdateApplication(appId: string) {
  const { callApi } = useApi();
  return useAppMutation((body: { industry?: string; storeHistory?: boolean }) =>
    callApi(apiRoutes.updateApplication, { params: { appId }, body }),
  );
}

export function useResetApplicationSecret(appId: string) {
  const { callApi } = useApi();
  return useAppMutation(() => callApi(apiRoutes.resetApplicationSecret, { params: { appId }, body: {} }));
}

export function useDeleteApplication(appId: string) {
  const { callApi } = useApi();
  return useAppMutation(() => callApi(apiRoutes.deleteApplication, { params: { appId } }));
}

export function useGrantAccess(appId: string) {
  const { callApi } = useApi();
  return useAppMutation((input: { granteeAppId: string; access: GrantAccess }) =>
    callApi(apiRoutes.grantApplicationAccess, {
      params: { appId, granteeAppId: input.granteeAppId },
      body: { access: input.access },
    }),
  );
}

export function useRevokeGrant(appId: string) {
  const { callApi } = useApi();
  return useAppMutation((granteeAppId: string) =>
    callApi(apiRoutes.revokeApplicationGrant, { params: { appId, granteeAppId } }),
  );
}
