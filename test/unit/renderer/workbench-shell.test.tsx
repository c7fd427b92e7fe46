// @vitest-environment jsdom
// The shell and the Overview rendered against a stubbed core: ports from /api/platform, a live device event.
import { MantineProvider } from '@mantine/core';
import { createRoot, type Root } from 'react-dom/client';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../renderer/app/i18n.js';
import { ApiProvider } from '../../../renderer/api/ApiProvider.js';
import { workbenchAreas } from '../../../renderer/app/areas.js';
import { workbenchRoutes } from '../../../renderer/app/router.js';

const token = 'f'.repeat(32);
const platformInfo = {
  name: 'IoT Workbench',
  version: '9.9.9',
  dataDir: '/home/me/.config/IoT Workbench',
  databaseFile: '/x/workbench.db',
  logFile: '/x/current.log',
  startedAt: 0,
  uptimeMs: 65_000,
  ports: { api: 40001, mqtt: 41883, coap: 45683 },
  listeners: [
    { name: 'mqtt', protocol: 'tcp', address: '0.0.0.0', port: 41883 },
    { name: 'coap', protocol: 'udp', address: '0.0.0.0', port: 45683 },
  ],
  hostAddresses: [{ interface: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true }],
  connectedDevices: 2,
  node: 'v20.19.0',
  os: 'linux',
};

class StubSocket {
  static last: StubSocket | undefined;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  sent: string[] = [];
  constructor(readonly url: string) {
    StubSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  send(data: string) {
    this.sent.push(data);
    if ((JSON.parse(data) as { type: string }).type === 'auth')
      this.deliver({ type: 'ready', topics: ['log', 'device'] });
  }
  close() {
    this.readyState = 3;
  }
  deliver(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

// Rendering is awaited with waitFor, not act(): tell React not to expect act() here.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

let container: HTMLDivElement;
let root: Root;

beforeEach(async () => {
  await i18n.changeLanguage('en');
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
  vi.stubGlobal('WebSocket', StubSocket);
  vi.stubGlobal('requestAnimationFrame', (callback: () => void) => setTimeout(callback, 0));
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) =>
      Promise.resolve(
        url.endsWith('/api/platform')
          ? new Response(JSON.stringify(platformInfo), { status: 200 })
          : new Response(JSON.stringify({ code: 'NOT_FOUND', message: 'no such route' }), { status: 404 }),
      ),
    ),
  );
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  root.unmount();
  container.remove();
  vi.unstubAllGlobals();
});

async function waitForText(text: string) {
  await vi.waitFor(() => expect(container.textContent).toContain(text), { timeout: 3000 });
}

describe('workbench shell', () => {
  it('shows the real ports, the device URLs and the connected-device count, then follows device events', async () => {
    const router = createMemoryRouter(workbenchRoutes(), { initialEntries: ['/'] });
    root.render(
      <MantineProvider env="test">
        <ApiProvider connection={{ apiUrl: 'http://127.0.0.1:40001', token }}>
          <RouterProvider router={router} />
        </ApiProvider>
      </MantineProvider>,
    );
    await waitForText('MQTT :41883');
    expect(container.textContent).toContain('CoAP :45683');
    expect(container.textContent).toContain('mqtt://127.0.0.1:41883');
    expect(container.textContent).toContain('AT+NCDP=127.0.0.1,45683');
    expect(container.textContent).toContain('devices on the LAN cannot reach it');
    expect(container.textContent).toContain('1 min 5 s');
    expect(container.textContent).toContain('2 devices online');

    const nav = container.querySelector('nav');
    // One link per area, in the order of the area list (areas are added by later features).
    expect([...(nav?.querySelectorAll('a') ?? [])].map((link) => link.textContent)).toEqual(
      workbenchAreas.filter((area) => !area.hidden).map((area) => i18n.t(area.labelKey)),
    );
    expect(nav?.querySelector('a')?.textContent).toBe('Overview');

    const fetchMock = vi.mocked(fetch);
    const [, init] = fetchMock.mock.calls[0]!;
    expect((init as RequestInit).headers).toMatchObject({ Authorization: `Bearer ${token}` });
    expect(StubSocket.last?.url).toBe('ws://127.0.0.1:40001/api/events');
    expect(JSON.parse(StubSocket.last!.sent[0]!)).toEqual({ type: 'auth', token });

    StubSocket.last!.deliver({
      type: 'batch',
      events: [{ topic: 'device', event: { at: 1, deviceId: 'd1', kind: 'online' } }],
      dropped: 0,
    });
    await waitForText('3 devices online');
  });
});
