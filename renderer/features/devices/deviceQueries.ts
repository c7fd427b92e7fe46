// Queries and mutations of the devices area, typed by the contract.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import {
  apiRoutes,
  type DeviceListQuery,
  type DeviceStatus,
  type RegisterDeviceBody,
} from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { buildRequestUrl } from '../../api/client.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { downloadFromApi } from '../../api/download.js';

export interface DeviceFilter {
  status?: DeviceStatus;
  productId?: string;
  search?: string;
  /** Devices of this group and its subgroups. */
  groupId?: string;
  tagId?: string;
  /** Sub-devices of this gateway. */
  gatewayId?: string;
}

export interface HistoryFilter {
  serviceId?: string;
  property?: string;
  from?: string;
  to?: string;
}

export const deviceKeys = {
  all: ['devices'] as const,
  page: (filter: DeviceFilter, page: number) => ['devices', 'page', filter, page] as const,
  counts: (productId?: string) => ['devices', 'counts', productId ?? ''] as const,
  one: (id: string) => ['devices', 'one', id] as const,
  latest: (id: string) => ['devices', 'latest', id] as const,
  history: (id: string, filter: HistoryFilter, cursor?: number) => ['devices', 'history', id, filter, cursor] as const,
  series: (id: string, filter: HistoryFilter) => ['devices', 'series', id, filter] as const,
  statusHistory: (id: string) => ['devices', 'status-history', id] as const,
  batch: (taskId: string) => ['devices', 'batch', taskId] as const,
};

const LIVE_MS = 2000;
/** A device page refreshes from the live events; polling only covers a lost events connection. */
const DEVICE_FALLBACK_MS = 15_000;
/** Most often a device page refetches while its device floods reports. */
const DEVICE_REFRESH_MIN_MS = 500;
export const LIST_PAGE_SIZE = 100;

const listQuery = (filter: DeviceFilter, page: number): DeviceListQuery => ({
  limit: LIST_PAGE_SIZE,
  offset: page * LIST_PAGE_SIZE,
  ...(filter.status ? { status: filter.status } : {}),
  ...(filter.productId ? { productId: filter.productId } : {}),
  ...(filter.search ? { search: filter.search } : {}),
  ...(filter.groupId ? { groupId: filter.groupId } : {}),
  ...(filter.tagId ? { tagId: filter.tagId } : {}),
  ...(filter.gatewayId ? { gatewayId: filter.gatewayId } : {}),
});

/**
 * The pages a virtual list shows right now (and page 0, which carries the total). Only these are fetched and
 * kept live, so the cost does not grow with the fleet.
 */
export function useDevicePages(filter: DeviceFilter, pages: readonly number[]) {
  const { callApi } = useApi();
  return useQueries({
    queries: pages.map((page) => ({
      queryKey: deviceKeys.page(filter, page),
      queryFn: () => callApi(apiRoutes.listDevices, { query: listQuery(filter, page) }),
      refetchInterval: LIVE_MS,
    })),
  });
}

export function useDeviceCounts(productId?: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.counts(productId),
    queryFn: () => callApi(apiRoutes.deviceCounts, { query: productId ? { productId } : {} }),
    refetchInterval: LIVE_MS,
  });
}

export function useDevice(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.one(id),
    queryFn: () => callApi(apiRoutes.getDevice, { params: { id } }),
    refetchInterval: DEVICE_FALLBACK_MS,
    retry: (count, error) => !('status' in error && error.status === 404) && count < 2,
  });
}

export function useLatestData(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.latest(id),
    queryFn: () => callApi(apiRoutes.latestDeviceData, { params: { id } }),
    refetchInterval: DEVICE_FALLBACK_MS,
  });
}

const historyQuery = (filter: HistoryFilter) => ({
  ...(filter.serviceId ? { serviceId: filter.serviceId } : {}),
  ...(filter.property ? { property: filter.property } : {}),
  ...(filter.from ? { from: filter.from } : {}),
  ...(filter.to ? { to: filter.to } : {}),
});

/** One page of the history table; `live` keeps the first page refreshing while new values arrive. */
export function useHistoryPage(id: string, filter: HistoryFilter, cursor: number | undefined, pageSize: number) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.history(id, filter, cursor),
    queryFn: () =>
      callApi(apiRoutes.deviceDataHistory, {
        params: { id },
        query: { ...historyQuery(filter), limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: cursor === undefined ? DEVICE_FALLBACK_MS : false,
  });
}

/** Points of one property for the chart: the newest CHART_POINTS of the range, oldest first. */
export const CHART_POINTS = 1000;
export function useHistorySeries(id: string, filter: HistoryFilter, enabled: boolean) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.series(id, filter),
    queryFn: () =>
      callApi(apiRoutes.deviceDataHistory, { params: { id }, query: { ...historyQuery(filter), limit: CHART_POINTS } }),
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: DEVICE_FALLBACK_MS,
  });
}

export function useStatusHistory(id: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: deviceKeys.statusHistory(id),
    queryFn: () => callApi(apiRoutes.deviceStatusHistory, { params: { id }, query: { limit: 200 } }),
    refetchInterval: DEVICE_FALLBACK_MS,
  });
}

/**
 * Keeps a device page current: its data and status events refetch what they change (at most every
 * DEVICE_REFRESH_MIN_MS, with a trailing refresh so the last report is never missed).
 */
export function useDeviceLiveRefresh(id: string) {
  const client = useQueryClient();
  const pending = useRef(new Set<'data' | 'device'>());
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const refresh = useCallback(() => {
    timer.current = undefined;
    last.current = Date.now();
    const keys: (readonly unknown[])[] = [];
    if (pending.current.has('data'))
      keys.push(deviceKeys.latest(id), ['devices', 'history', id], ['devices', 'series', id]);
    if (pending.current.has('device')) keys.push(deviceKeys.one(id), deviceKeys.statusHistory(id));
    pending.current.clear();
    // An answer already on its way is kept rather than cancelled and asked again.
    for (const queryKey of keys) void client.invalidateQueries({ queryKey }, { cancelRefetch: false });
  }, [client, id]);
  const schedule = (kind: 'data' | 'device') => {
    pending.current.add(kind);
    if (timer.current) return;
    timer.current = setTimeout(refresh, Math.max(0, last.current + DEVICE_REFRESH_MIN_MS - Date.now()));
  };
  useBusEvents('data', (events) => events.some((e) => e.deviceId === id) && schedule('data'));
  useBusEvents('device', (events) => events.some((e) => e.deviceId === id) && schedule('device'));
}

export function useRegisterDevice() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: RegisterDeviceBody) => callApi(apiRoutes.registerDevice, { body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: deviceKeys.all }),
  });
}

export function useUpdateDevice(id: string) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string | null) => callApi(apiRoutes.updateDevice, { params: { id }, body: { name } }),
    onSuccess: (device) => {
      client.setQueryData(deviceKeys.one(id), device);
      void client.invalidateQueries({ queryKey: ['devices', 'page'] });
    },
  });
}

export function useDeleteDevice() {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => callApi(apiRoutes.deleteDevice, { params: { id } }),
    onSuccess: (_r, id) => {
      client.removeQueries({ queryKey: deviceKeys.one(id) });
      void client.invalidateQueries({ queryKey: ['devices', 'page'] });
      void client.invalidateQueries({ queryKey: ['devices', 'counts'] });
    },
  });
}

export function useResetSecret(id: string) {
  const { callApi } = useApi();
  return useMutation({
    mutationFn: (secret?: string) =>
      callApi(apiRoutes.resetDeviceSecret, { params: { id }, body: secret ? { secret } : {} }),
  });
}

export function useStartBatch() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: { productId: string; csv: string }) => callApi(apiRoutes.startBatchRegistration, { body }),
  });
}

/** Polls a batch task until it is done, then refreshes the lists. */
export function useBatchTask(taskId: string | undefined) {
  const { callApi } = useApi();
  const client = useQueryClient();
  return useQuery({
    queryKey: deviceKeys.batch(taskId ?? ''),
    queryFn: async () => {
      const params = { taskId: taskId ?? '' };
      // While running only the counts travel; the per-row results come once, when the task is done.
      const progress = await callApi(apiRoutes.getBatchRegistration, { params, query: { rows: 'none' } });
      if (progress.status !== 'done') return progress;
      void client.invalidateQueries({ queryKey: ['devices', 'page'] });
      void client.invalidateQueries({ queryKey: ['devices', 'counts'] });
      return callApi(apiRoutes.getBatchRegistration, { params, query: { rows: 'all' } });
    },
    enabled: taskId !== undefined,
    // Progress comes live from the bus; polling is the fallback, and the last poll brings the per-row results.
    refetchInterval: (q) => (q.state.data?.status === 'done' ? false : 1000),
  });
}

export type CsvDownload =
  { kind: 'secrets'; productId?: string } | { kind: 'history'; deviceId: string; filter: HistoryFilter };

/** Downloads a CSV route (secrets export, history export) through the browser with the API token. */
export function useCsvDownload() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: (download: CsvDownload) => {
      const url =
        download.kind === 'secrets'
          ? buildRequestUrl(connection.apiUrl, apiRoutes.exportDeviceSecrets, {
              query: download.productId ? { productId: download.productId } : {},
            })
          : buildRequestUrl(connection.apiUrl, apiRoutes.exportDeviceDataHistory, {
              params: { id: download.deviceId },
              query: historyQuery(download.filter),
            });
      const fallbackName =
        download.kind === 'secrets' ? `devices-${download.productId ?? 'all'}.csv` : `${download.deviceId}-history.csv`;
      return downloadFromApi(connection, url, fallbackName);
    },
  });
}
