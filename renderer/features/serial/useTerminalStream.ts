// Keeps one session's terminal lines: the core's buffered output first, then live `serial` events, capped.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { apiRoutes } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { appendChunk, base64ToBytes, emptyTerminal, type TerminalBuffer } from './terminalLines.js';

const MAX_LINES = 5000;

interface RawChunk {
  at: number;
  direction: 'in' | 'out';
  base64: string;
}

/** The lines of one session, mutated in place; `version` tells React when to re-render. */
export class TerminalStore {
  buffer: TerminalBuffer = emptyTerminal();
  version = 0;
  private loaded = false;
  private early: RawChunk[] = [];
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of [...this.listeners]) l();
  }

  private append(chunk: RawChunk): void {
    appendChunk(this.buffer, chunk.at, chunk.direction, base64ToBytes(chunk.base64), MAX_LINES);
  }

  /** The core's buffered output; live chunks that raced it are kept only when newer. */
  load(chunks: readonly RawChunk[]): void {
    const last = chunks[chunks.length - 1]?.at ?? 0;
    for (const c of chunks) this.append(c);
    for (const c of this.early) if (c.at > last) this.append(c);
    this.early = [];
    this.loaded = true;
    this.changed();
  }

  live(chunks: readonly RawChunk[]): void {
    if (chunks.length === 0) return;
    if (!this.loaded) {
      this.early.push(...chunks);
      return;
    }
    for (const c of chunks) this.append(c);
    this.changed();
  }

  clear(): void {
    this.buffer = emptyTerminal();
    this.changed();
  }
}

export function useTerminalStream(sessionId: string): { store: TerminalStore; version: number } {
  const { callApi } = useApi();
  const [store] = useState(() => new TerminalStore());
  const version = useSyncExternalStore(store.subscribe, store.getVersion);

  useEffect(() => {
    let cancelled = false;
    void callApi(apiRoutes.serialOutput, { params: { id: sessionId } }).then((out) => {
      if (!cancelled) store.load(out.chunks);
    });
    return () => {
      cancelled = true;
    };
  }, [callApi, sessionId, store]);

  // useBusEvents delivers once per animation frame, so at most one re-render per frame.
  useBusEvents('serial', (events) => {
    const chunks: RawChunk[] = [];
    for (const e of events) {
      if (e.sessionId === sessionId && e.kind === 'data' && e.base64 && e.direction) {
        chunks.push({ at: e.at, direction: e.direction, base64: e.base64 });
      }
    }
    store.live(chunks);
  });

  return { store, version };
}
