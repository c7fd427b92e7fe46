import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusEventMap } from '../../../core/contract/index.js';
import { EventsClient, eventsUrl, reconnectDelay } from '../../../renderer/api/events.js';

const connection = { apiUrl: 'http://127.0.0.1:4321', token: 't'.repeat(32) };

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
}

function setup() {
  FakeSocket.instances = [];
  const frames: (() => void)[] = [];
  const client = new EventsClient({
    connection,
    createSocket: (url) => new FakeSocket(url),
    scheduleFrame: (flush) => frames.push(flush),
    minDelayMs: 100,
    maxDelayMs: 1000,
  });
  const runFrame = () => frames.splice(0).forEach((flush) => flush());
  return { client, frames, runFrame, socket: () => FakeSocket.instances.at(-1)! };
}

const logEvent = (seq: number): BusEventMap['log'] => ({
  at: 1,
  entry: { seq, time: 1, level: 'info', source: 'core', message: `line ${seq}` },
});

afterEach(() => {
  vi.useRealTimers();
});

describe('EventsClient', () => {
  it('connects to /api/events on the API origin', () => {
    expect(eventsUrl('http://127.0.0.1:4321')).toBe('ws://127.0.0.1:4321/api/events');
  });

  it('authenticates first, then subscribes to the topics it has listeners for', () => {
    const { client, socket } = setup();
    client.subscribe('log', () => undefined);
    client.start();
    socket().open();
    expect(socket().sent).toEqual([{ type: 'auth', token: connection.token }]);
    expect(client.status).toBe('connecting');
    socket().receive({ type: 'ready', topics: ['log', 'device'] });
    expect(client.status).toBe('open');
    expect(socket().sent[1]).toEqual({ type: 'subscribe', topics: ['log'] });
    client.subscribe('device', () => undefined);
    expect(socket().sent[2]).toEqual({ type: 'subscribe', topics: ['log', 'device'] });
    client.stop();
  });

  it('delivers a batch of events once per animation frame and skips malformed ones', () => {
    const { client, socket, frames, runFrame } = setup();
    const received: BusEventMap['log'][][] = [];
    client.subscribe('log', (events) => received.push(events));
    client.start();
    socket().open();
    socket().receive({ type: 'ready', topics: ['log'] });
    socket().receive({
      type: 'batch',
      events: [
        { topic: 'log', event: logEvent(1) },
        { topic: 'log', event: { at: 'not a number' } },
        { topic: 'nonsense', event: {} },
      ],
      dropped: 0,
    });
    socket().receive({ type: 'batch', events: [{ topic: 'log', event: logEvent(2) }], dropped: 3 });
    expect(received).toEqual([]);
    expect(frames).toHaveLength(1);
    runFrame();
    expect(received).toHaveLength(1);
    expect(received[0]!.map((event) => event.entry.seq)).toEqual([1, 2]);
    expect(client.dropped).toBe(3);
    client.stop();
  });

  it('reconnects with growing delays after the connection drops, and stops for good on stop()', () => {
    vi.useFakeTimers();
    const { client, socket } = setup();
    client.start();
    socket().open();
    socket().receive({ type: 'ready', topics: [] });
    socket().drop();
    expect(client.status).toBe('connecting');
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(130);
    expect(FakeSocket.instances).toHaveLength(2);
    socket().drop();
    vi.advanceTimersByTime(130);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(150);
    expect(FakeSocket.instances).toHaveLength(3);
    client.stop();
    expect(client.status).toBe('closed');
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('caps the back-off delay', () => {
    expect(reconnectDelay(0, 500, 15_000, () => 0.5)).toBe(500);
    expect(reconnectDelay(3, 500, 15_000, () => 0.5)).toBe(4000);
    expect(reconnectDelay(50, 500, 15_000, () => 0.5)).toBe(15_000);
  });
});
