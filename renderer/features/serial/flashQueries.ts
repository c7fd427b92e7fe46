// Flash operations: detect, start, list; the live progress of one operation comes from the `flash` events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiRoutes, type BusEventMap, type FlashConnect, type FlashRequest } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

const flashKeys = { operations: ['flash', 'operations'] as const };

export function useFlashOperations() {
  const { callApi } = useApi();
  return useQuery({ queryKey: flashKeys.operations, queryFn: () => callApi(apiRoutes.listFlashOperations) });
}

export function useDetectChip() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: Partial<FlashConnect> & { port: string }) => callApi(apiRoutes.detectFlashChip, { body }),
  });
}

export function useStartFlash() {
  const { callApi } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: Partial<FlashRequest> & { port: string }) => callApi(apiRoutes.startFlash, { body }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: flashKeys.operations }),
  });
}

export interface FlashProgress {
  last: BusEventMap['flash'] | undefined;
  lines: string[];
}

/** Follows one operation's events; the list refreshes when it ends. */
export function useFlashProgress(operationId: string | undefined): FlashProgress {
  const queryClient = useQueryClient();
  const [state, setState] = useState<FlashProgress & { id?: string }>({ last: undefined, lines: [] });
  useBusEvents('flash', (events) => {
    const mine = events.filter((e) => e.operationId === operationId);
    if (mine.length === 0) return;
    setState((s) => {
      const base = s.id === operationId ? s : { last: undefined, lines: [] };
      const lines = [...base.lines, ...mine.flatMap((e) => (e.line ? [e.line] : []))].slice(-300);
      return { id: operationId, last: mine[mine.length - 1], lines };
    });
    if (mine.some((e) => e.status !== 'running'))
      void queryClient.invalidateQueries({ queryKey: flashKeys.operations });
  });
  return state.id === operationId ? state : { last: undefined, lines: [] };
}
