// Queries and mutations of the codec page, typed by the codecs contract.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type CodecCommand, type CodecDraft, type CodecSampleInput } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { useApi } from '../../api/ApiProvider.js';

export const codecKeys = {
  codec: (id: string) => ['codecs', id] as const,
  samples: (id: string) => ['codecs', id, 'samples'] as const,
  shipped: ['codecs', 'shipped'] as const,
};

/** The product's codec, or null when it has none yet. */
export function useCodec(productId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: codecKeys.codec(productId),
    queryFn: async () => {
      try {
        return await callApi(apiRoutes.getCodec, { params: { id: productId } });
      } catch (error) {
        if (error instanceof ApiClientError && error.code === 'CODEC_NOT_FOUND') return null;
        throw error;
      }
    },
  });
}

export function useCodecSamples(productId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: codecKeys.samples(productId),
    queryFn: () => callApi(apiRoutes.listCodecSamples, { params: { id: productId } }),
  });
}

export function useShippedCodecs() {
  const { callApi } = useApi();
  return useQuery({ queryKey: codecKeys.shipped, queryFn: () => callApi(apiRoutes.listCodecSampleSets) });
}

function useInvalidate(productId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: codecKeys.codec(productId) });
}

export function useSaveCodec(productId: string) {
  const { callApi } = useApi();
  const invalidate = useInvalidate(productId);
  return useMutation({
    mutationFn: (draft: CodecDraft) => callApi(apiRoutes.saveCodecVersion, { params: { id: productId }, body: draft }),
    onSuccess: invalidate,
  });
}

export function useInstallShippedCodec(productId: string) {
  const { callApi } = useApi();
  const invalidate = useInvalidate(productId);
  return useMutation({
    mutationFn: (body: { name: string; kind: CodecDraft['kind'] }) =>
      callApi(apiRoutes.installCodecSample, { params: { id: productId }, body }),
    onSuccess: invalidate,
  });
}

export function useActivateVersion(productId: string) {
  const { callApi } = useApi();
  const invalidate = useInvalidate(productId);
  return useMutation({
    mutationFn: (version: number) => callApi(apiRoutes.activateCodecVersion, { params: { id: productId, version } }),
    onSuccess: invalidate,
  });
}

export function useRunSamples(productId: string) {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (draft: CodecDraft | undefined) =>
      callApi(apiRoutes.runCodecSamples, { params: { id: productId }, body: draft ? { draft } : {} }),
  });
}

export function useTryDecode(productId: string) {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (input: { hex: string; topic?: string; draft?: CodecDraft }) =>
      callApi(apiRoutes.tryCodec, { params: { id: productId }, body: { direction: 'decode', ...input } }),
  });
}

export function useTryEncode(productId: string) {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (input: { command: CodecCommand; draft?: CodecDraft }) =>
      callApi(apiRoutes.tryCodec, { params: { id: productId }, body: { direction: 'encode', ...input } }),
  });
}

export function useAddSample(productId: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CodecSampleInput) =>
      callApi(apiRoutes.addCodecSample, { params: { id: productId }, body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: codecKeys.samples(productId) }),
  });
}

export function useDeleteSample(productId: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sampleId: string) => callApi(apiRoutes.deleteCodecSample, { params: { id: productId, sampleId } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: codecKeys.samples(productId) }),
  });
}

export function useCSource(productId: string) {
  const { callApi } = useApi();
  return useMutation({ mutationFn: () => callApi(apiRoutes.codecCSource, { params: { id: productId } }) });
}
