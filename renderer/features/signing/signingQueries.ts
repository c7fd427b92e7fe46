// Queries and mutations of the signing area, typed by the contract. Keys travel as names, paths and fingerprints;
// a passphrase only ever sits in the body of the one call that needs it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type SigningAlgorithm } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import type { ApiConnection } from '../../api/client.js';
import { fetchFile, saveFile } from '../../api/download.js';
import type { VerifyKey } from './verifyKey.js';

export const signingKeys = {
  keys: ['signing', 'keys'] as const,
};

export function useSigningKeys() {
  const { callApi } = useApi();
  return useQuery({ queryKey: signingKeys.keys, queryFn: () => callApi(apiRoutes.listKeys) });
}

function useKeyMutation<T, R>(fn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    // Errors are shown in the form that caused them.
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: signingKeys.keys }),
  });
}

export function useGenerateKey() {
  const { callApi } = useApi();
  return useKeyMutation((body: { name: string; algorithm: SigningAlgorithm; passphrase: string }) =>
    callApi(apiRoutes.generateKey, { body }),
  );
}

export function useImportKey() {
  const { callApi } = useApi();
  return useKeyMutation((body: { name: string; path: string; passphrase?: string; newPassphrase?: string }) =>
    callApi(apiRoutes.importKey, { body }),
  );
}

export function useDeleteKey() {
  const { callApi } = useApi();
  return useKeyMutation((name: string) => callApi(apiRoutes.deleteKey, { params: { name } }));
}

export function useUploadWorkFile() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (file: File) => callApi(apiRoutes.uploadWorkFile, { query: { name: file.name }, body: file }),
  });
}

export function useSignPackage() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: { inputPath: string; keyName: string; passphrase: string; progressId: string }) =>
      callApi(apiRoutes.sign, { body }),
  });
}

export function useVerifyPackage() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: { inputPath: string; progressId: string } & VerifyKey) => callApi(apiRoutes.verify, { body }),
  });
}

/** Fetches a zip on the core machine with the token, as a Blob and its file name. */
export async function fetchZip(connection: ApiConnection, path: string): Promise<{ blob: Blob; fileName: string }> {
  const url = `${connection.apiUrl.replace(/\/+$/, '')}${apiRoutes.downloadZip.path}?path=${encodeURIComponent(path)}`;
  return fetchFile(connection, url, path.split(/[/\\]/).pop() ?? 'package.zip');
}

/** Hands a zip on the core machine to the browser as a download. */
export function useDownloadZip() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: async (path: string) => {
      const { blob, fileName } = await fetchZip(connection, path);
      saveFile(fileName, blob);
      return fileName;
    },
  });
}

/** Sends a signed zip on the core machine to the package library, which checks it against the manufacturer's key. */
export function useAddToLibrary() {
  const { connection, callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: async (path: string) => {
      const { blob } = await fetchZip(connection, path);
      return callApi(apiRoutes.uploadPackage, { body: blob });
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['packages'] }),
  });
}
