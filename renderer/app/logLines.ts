// The log lines the drawer shows: recent lines from GET /api/logs merged with live `log` events, capped.
import { useMemo, useState } from 'react';
import type { LogEntry } from '../../core/contract/index.js';
import { useRecentLogs } from '../api/platformQueries.js';
import { useBusEvents } from '../api/useBusEvents.js';

export const LOG_LINE_LIMIT = 1000;

/** Oldest first, one line per `seq`, at most `limit` lines (the newest kept). */
export function mergeLogLines(
  existing: readonly LogEntry[],
  incoming: readonly LogEntry[],
  limit = LOG_LINE_LIMIT,
): LogEntry[] {
  const bySeq = new Map<number, LogEntry>();
  for (const entry of existing) bySeq.set(entry.seq, entry);
  for (const entry of incoming) bySeq.set(entry.seq, entry);
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

/** Live lines are collected from the start; the history is fetched the first time it is wanted. */
export function useLogLines(historyWanted: boolean): { lines: LogEntry[]; isLoading: boolean; error: unknown } {
  const [live, setLive] = useState<LogEntry[]>([]);
  useBusEvents('log', (events) => {
    setLive((previous) =>
      mergeLogLines(
        previous,
        events.map((event) => event.entry),
      ),
    );
  });
  const history = useRecentLogs(LOG_LINE_LIMIT, historyWanted);
  const lines = useMemo(() => mergeLogLines(history.data?.entries ?? [], live), [history.data, live]);
  return { lines, isLoading: history.isLoading, error: history.error };
}
