// Mounting renderer pieces in jsdom for unit tests: the browser APIs Mantine asks for, a fresh root per test,
// optionally a stubbed core behind the API provider.
import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, vi } from 'vitest';
import { ApiProvider } from '../../../renderer/api/ApiProvider.js';

// Rendering is awaited with waitFor, not act(): tell React not to expect act() here.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

export interface Mounted {
  container: HTMLDivElement;
  render: (node: ReactNode) => void;
  unmount: () => void;
}

/** Call at the top of a test file; the returned handle is fresh for each test. */
export function useJsdomMount(): Mounted {
  const mounted = {} as Mounted;
  let root: Root | undefined;
  beforeEach(() => {
    vi.stubGlobal('matchMedia', (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }));
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
    // Autosizing textareas listen for web fonts loading, which jsdom does not do.
    if (!('fonts' in document))
      Object.defineProperty(document, 'fonts', { value: new EventTarget(), configurable: true });
    mounted.container = document.createElement('div');
    document.body.append(mounted.container);
    const current = createRoot(mounted.container);
    root = current;
    mounted.render = (node) => current.render(<MantineProvider env="test">{node}</MantineProvider>);
    mounted.unmount = () => {
      current.unmount();
      root = undefined;
    };
  });
  afterEach(() => {
    root?.unmount();
    root = undefined;
    mounted.container.remove();
    vi.unstubAllGlobals();
  });
  return mounted;
}

/** A WebSocket that never connects: the live-events client waits on it quietly. */
class SilentSocket {
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  send() {}
  close() {}
}

/**
 * Stubs `fetch` with answers by path (`/api/products` → its JSON body) and returns a provider for the tree;
 * an unknown path answers 404. Call inside a test or beforeEach (after useJsdomMount's set-up).
 */
export function stubCore(answers: Record<string, unknown>): (props: { children: ReactNode }) => ReactNode {
  vi.stubGlobal('WebSocket', SilentSocket);
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      const path = new URL(url).pathname;
      return Promise.resolve(
        path in answers
          ? new Response(JSON.stringify(answers[path]), { status: 200 })
          : new Response(JSON.stringify({ code: 'NOT_FOUND', message: `no stub for ${path}` }), { status: 404 }),
      );
    }),
  );
  const connection = { apiUrl: 'http://127.0.0.1:40001', token: 'f'.repeat(32) };
  return function StubbedCore({ children }) {
    return <ApiProvider connection={connection}>{children}</ApiProvider>;
  };
}
