// Queries of the bring-up wizard: its state per session (refetched on its task events), CoAP/LwM2M products,
// the platform addresses, codec sample frames, and creating the water meter sample with its codec.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, type BringUpRun } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { ApiClientError } from '../../api/client.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export const WATER_METER_SAMPLE = 'WaterMeter_TestUtf8ManuId_NBIoTDevice';

const keys = {
  state: (id: string) => ['serial', 'bring-up', id] as const,
  products: ['serial', 'bring-up', 'products'] as const,
  addresses: ['serial', 'bring-up', 'addresses'] as const,
  samples: (productId: string) => ['serial', 'bring-up', 'samples', productId] as const,
};

export function useBringUpState(sessionId: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  useBusEvents('task', (events) => {
    if (events.some((e) => e.taskId === `bring-up-${sessionId}`)) {
      void queryClient.invalidateQueries({ queryKey: keys.state(sessionId) });
    }
  });
  return useQuery({
    queryKey: keys.state(sessionId),
    queryFn: () => callApi(apiRoutes.getBringUp, { params: { id: sessionId } }),
  });
}

/** Products a module can be brought up under: CoAP and LwM2M only. */
export function useModuleProducts() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: keys.products,
    queryFn: async () => {
      const list = await callApi(apiRoutes.listProducts, { query: { limit: 500 } });
      return list.items.filter((p) => p.protocolType === 'CoAP' || p.protocolType === 'LWM2M');
    },
  });
}

export function usePlatformAddresses() {
  const { callApi } = useApi();
  return useQuery({ queryKey: keys.addresses, queryFn: () => callApi(apiRoutes.bringUpAddresses) });
}

/** Uplink sample frames stored with the product's codec (offered as the test uplink). */
export function useUplinkSamples(productId: string | null) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: keys.samples(productId ?? ''),
    enabled: productId !== null,
    retry: false,
    meta: { silent: true },
    queryFn: async () => {
      const { samples } = await callApi(apiRoutes.listCodecSamples, { params: { id: productId ?? '' } });
      return samples.filter((s) => s.direction === 'uplink');
    },
  });
}

/** Whether the product has an active codec (without one, the first uplink cannot be decoded). */
export function useHasActiveCodec(productId: string | null) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ['serial', 'bring-up', 'codec', productId ?? ''] as const,
    enabled: productId !== null,
    retry: false,
    meta: { silent: true },
    queryFn: async () => {
      try {
        return (await callApi(apiRoutes.getCodec, { params: { id: productId ?? '' } })).active !== null;
      } catch (error) {
        if (error instanceof ApiClientError && error.status === 404) return false;
        throw error;
      }
    },
  });
}

export function useRunBringUp(sessionId: string) {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: BringUpRun) => callApi(apiRoutes.runBringUp, { params: { id: sessionId }, body }),
    onSuccess: (state) => queryClient.setQueryData(keys.state(sessionId), state),
  });
}

export function useCancelBringUp(sessionId: string) {
  const { callApi } = useApi();
  return useMutation({ mutationFn: () => callApi(apiRoutes.cancelBringUp, { params: { id: sessionId } }) });
}

/** Creates the water meter sample product and gives it the shipped layout codec, active. */
export function useCreateWaterMeterSample() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const product = await callApi(apiRoutes.createProductFromSample, { params: { name: WATER_METER_SAMPLE } });
      const codec = await callApi(apiRoutes.installCodecSample, {
        params: { id: product.id },
        body: { name: 'water-meter', kind: 'layout' },
      });
      const version = codec.versions.at(-1)?.version;
      if (version !== undefined) {
        await callApi(apiRoutes.activateCodecVersion, { params: { id: product.id, version } });
      }
      return product;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.products }),
  });
}
