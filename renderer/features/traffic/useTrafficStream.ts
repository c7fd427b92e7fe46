// The rows of the live list: the newest page from the API, then live `traffic` batches (or, with a filter,
// pages fetched after the last seen frame), kept in a bounded window; paused frames are counted, not held.
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRoutes } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { appendToWindow, emptyWindow, type FrameWindow } from './frameWindow.js';

export const WINDOW_LIMIT = 5000;
const FIRST_PAGE = 1000;

export function useTrafficStream(filter: string, paused: boolean) {
  const { callApi } = useApi();
  const [view, setView] = useState<FrameWindow>(emptyWindow);
  const [error, setError] = useState<unknown>();
  const cursor = useRef<number | undefined>(undefined);
  const fetching = useRef(false);
  const again = useRef(false);
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const r = await callApi(apiRoutes.listTrafficFrames, {
        query: { limit: FIRST_PAGE, ...(filter ? { filter } : {}) },
      });
      if (mine !== generation.current) return;
      cursor.current = r.newerCursor;
      setView({ rows: r.frames, notShownPaused: 0, notShownOverLimit: 0 });
      setError(undefined);
    } catch (e) {
      if (mine === generation.current) setError(e);
    }
  }, [callApi, filter]);

  useEffect(() => {
    // reload() sets state only after the API answers, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (!paused) void reload();
  }, [reload, paused]);

  const fetchNewer = useCallback(async () => {
    if (fetching.current) {
      again.current = true;
      return;
    }
    fetching.current = true;
    const mine = generation.current;
    try {
      do {
        again.current = false;
        const r = await callApi(apiRoutes.listTrafficFrames, {
          query: {
            limit: 2000,
            ...(filter ? { filter } : {}),
            ...(cursor.current !== undefined ? { after: cursor.current } : {}),
          },
        });
        if (mine !== generation.current) return;
        cursor.current = r.newerCursor ?? cursor.current;
        setView((w) => appendToWindow(w, r.frames, WINDOW_LIMIT));
      } while (again.current);
    } catch (e) {
      setError(e);
    } finally {
      fetching.current = false;
    }
  }, [callApi, filter]);

  useBusEvents('traffic', (batches) => {
    const frames = batches.flatMap((b) => b.frames);
    const skipped = batches.reduce((n, b) => n + b.notShown, 0);
    if (paused) {
      setView((w) => ({ ...w, notShownPaused: w.notShownPaused + frames.length + skipped }));
      return;
    }
    if (filter) {
      void fetchNewer();
      return;
    }
    const newest = frames.at(-1)?.seq;
    if (newest !== undefined) cursor.current = Math.max(cursor.current ?? 0, newest);
    setView((w) => appendToWindow(w, frames, WINDOW_LIMIT, skipped));
  });

  const clear = useCallback(() => {
    generation.current++;
    setView(emptyWindow);
  }, []);

  return { view, error, reload, clear };
}
