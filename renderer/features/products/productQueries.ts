// Queries and mutations of the products area, typed by the contract.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  apiRoutes,
  fillPath,
  type OmCapability,
  type Product,
  type ProductListQuery,
  type ProductModel,
} from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { useApi } from '../../api/ApiProvider.js';
import { downloadFromApi } from '../../api/download.js';

export const productKeys = {
  all: ['products'] as const,
  list: (query: ProductListQuery) => ['products', 'list', query] as const,
  one: (id: string) => ['products', 'one', id] as const,
  samples: ['products', 'samples'] as const,
  secret: (id: string) => ['products', 'secret', id] as const,
  validation: (model: unknown) => ['products', 'validate', JSON.stringify(model)] as const,
};

export function useProductList(query: ProductListQuery) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: productKeys.list(query),
    queryFn: () => callApi(apiRoutes.listProducts, { query }),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string) {
  const { callApi } = useApi();
  return useQuery({ queryKey: productKeys.one(id), queryFn: () => callApi(apiRoutes.getProduct, { params: { id } }) });
}

/** The product secret of one-model-one-secret MQTT login (authType 1). */
export function useProductSecret(id: string, enabled = true) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: productKeys.secret(id),
    queryFn: () => callApi(apiRoutes.getProductSecret, { params: { id } }),
    enabled,
  });
}

/** Replaces the product secret (generated when none is given); logins with the old one are refused at once. */
export function useResetProductSecret(id: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (secret: string | undefined) =>
      callApi(apiRoutes.resetProductSecret, { params: { id }, body: secret === undefined ? {} : { secret } }),
    onSuccess: (result) => queryClient.setQueryData(productKeys.secret(id), result),
  });
}

export function useProductSamples() {
  const { callApi } = useApi();
  return useQuery({ queryKey: productKeys.samples, queryFn: () => callApi(apiRoutes.listProductSamples) });
}

/** Server-side rules (ranges, uniqueness, topics) for a draft, so forms show them before saving. */
export function useModelValidation(model: unknown, enabled = true) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: productKeys.validation(model),
    queryFn: () => callApi(apiRoutes.validateProductModel, { body: model }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

function useProductMutation<T>(fn: (input: T) => Promise<Product>) {
  const queryClient = useQueryClient();
  return useMutation({
    // Errors are shown beside the form or drop zone, not as a notification.
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: (product) => {
      queryClient.setQueryData(productKeys.one(product.id), product);
      void queryClient.invalidateQueries({ queryKey: ['products', 'list'] });
      void queryClient.invalidateQueries({ queryKey: productKeys.samples });
    },
  });
}

export function useImportProduct() {
  const { callApi } = useApi();
  return useProductMutation((file: Blob) => callApi(apiRoutes.importProduct, { body: file }));
}

export function useCreateFromSample() {
  const { callApi } = useApi();
  return useProductMutation((name: string) => callApi(apiRoutes.createProductFromSample, { params: { name } }));
}

export function useCreateProduct() {
  const { callApi } = useApi();
  return useProductMutation((model: ProductModel) => callApi(apiRoutes.createProduct, { body: model }));
}

export function useUpdateProduct(id: string) {
  const { callApi } = useApi();
  return useProductMutation((input: { model: ProductModel; expectedVersion?: number }) =>
    callApi(apiRoutes.updateProduct, { params: { id }, body: input }),
  );
}

export function useUpdateOmCapability(id: string) {
  const { callApi } = useApi();
  return useProductMutation((om: OmCapability) =>
    callApi(apiRoutes.updateProductOmCapability, { params: { id }, body: om }),
  );
}

export function useDeleteProduct() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => callApi(apiRoutes.deleteProduct, { params: { id } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: productKeys.all }),
  });
}

/** Fetches the profile zip with the token and hands it to the browser as a download. */
export function useExportProduct() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: async (id: string) => {
      const url = connection.apiUrl.replace(/\/+$/, '') + fillPath(apiRoutes.exportProduct.path, { id });
      return downloadFromApi(connection, url, 'profile.zip');
    },
  });
}

/** The file inside the zip and the JSON path an import error names. */
export function importErrorLocation(error: unknown): { file?: string; path?: string } {
  if (!(error instanceof ApiClientError)) return {};
  const details = error.details as { file?: unknown; path?: unknown } | undefined;
  return {
    file: typeof details?.file === 'string' && details.file !== '' ? details.file : undefined,
    path: typeof details?.path === 'string' && details.path !== '' ? details.path : undefined,
  };
}
