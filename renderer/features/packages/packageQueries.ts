// Queries and mutations of the packages area (builder, manufacturer keys, library), typed by the contract.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { apiRoutes, type packageUploadQuerySchema, type SoftwareBuildInput } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';

export const packageKeys = {
  all: ['packages'] as const,
  list: ['packages', 'list'] as const,
  one: (id: string) => ['packages', 'one', id] as const,
  manufacturerKeys: ['packages', 'manufacturer-keys'] as const,
};

export function usePackageList() {
  const { callApi } = useApi();
  return useQuery({ queryKey: packageKeys.list, queryFn: () => callApi(apiRoutes.listPackages, { query: {} }) });
}

export function usePackage(id: string | undefined) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: packageKeys.one(id ?? ''),
    queryFn: () => callApi(apiRoutes.getPackage, { params: { id: id ?? '' } }),
    enabled: id !== undefined,
  });
}

export function useManufacturerKeys() {
  const { callApi } = useApi();
  return useQuery({ queryKey: packageKeys.manufacturerKeys, queryFn: () => callApi(apiRoutes.listManufacturerKeys) });
}

/** Product models, to fill a package's identity from one (it must match a model to enter the library). */
export function useProductIdentities() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ['products', 'list', { limit: 200 }],
    queryFn: () => callApi(apiRoutes.listProducts, { query: { limit: 200 } }),
  });
}

function useLibraryMutation<T, R>(fn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    // Refusals are shown where the action was taken, with their reasons.
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: packageKeys.all }),
  });
}

export function useBuildSoftwarePackage() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: SoftwareBuildInput) => callApi(apiRoutes.buildSoftware, { body }),
  });
}

export function useBuildFirmwarePackage() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: { binPath: string }) => callApi(apiRoutes.buildFirmware, { body }),
  });
}

/** A firmware zip carries no description, so its metadata travels in the query. */
export type PackageUploadQuery = z.input<typeof packageUploadQuerySchema>;

export function useUploadPackage() {
  const { callApi } = useApi();
  return useLibraryMutation(({ file, query = {} }: { file: Blob; query?: PackageUploadQuery }) =>
    callApi(apiRoutes.uploadPackage, { query, body: file }),
  );
}

export function useDeletePackage() {
  const { callApi } = useApi();
  return useLibraryMutation((id: string) => callApi(apiRoutes.deletePackage, { params: { id } }));
}

export type NewManufacturerKey =
  | { manufacturerName: string; label?: string; publicKeyPem: string }
  | { manufacturerName: string; label?: string; publicKeyPath: string };

export function useAddManufacturerKey() {
  const { callApi } = useApi();
  return useLibraryMutation((body: NewManufacturerKey) =>
    'publicKeyPath' in body
      ? callApi(apiRoutes.addManufacturerKeyFromFile, { body })
      : callApi(apiRoutes.addManufacturerKey, { body }),
  );
}

export function useDeleteManufacturerKey() {
  const { callApi } = useApi();
  return useLibraryMutation((id: string) => callApi(apiRoutes.deleteManufacturerKey, { params: { id } }));
}
